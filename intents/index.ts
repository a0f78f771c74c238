import type { Intent } from './intent.js'
import { accessForbidden403 } from './accessForbidden403.js'
import { buyCac } from './buyCac.js'
import { cacregPrompt } from './cacregPrompt.js'
import { cancel } from './cancel.js'
import { certificateNotShown } from './certificateNotShown.js'
import { certificatesRevoked } from './certificatesRevoked.js'
import { changePin } from './changePin.js'
import { clearCache } from './clearCache.js'
import { clearSslState } from './clearSslState.js'
import { edipiMismatch } from './edipiMismatch.js'
import { goodbye } from './goodbye.js'
import { greeting } from './greeting.js'
import { help } from './help.js'
import { humanAgent } from './humanAgent.js'
import { kickedBackToLogin } from './kickedBackToLogin.js'
import { loginRequirements } from './loginRequirements.js'
import { newCacNotWorking } from './newCacNotWorking.js'
import { none } from './none.js'
import { outOfScopeEmail } from './outOfScopeEmail.js'
import { outOfScopeNetwork } from './outOfScopeNetwork.js'
import { outOfScopeOtherSite } from './outOfScopeOtherSite.js'
import { outOfScopePayPersonnel } from './outOfScopePayPersonnel.js'
import { outOfScopeIdCardOffice } from './outOfScopeIdCardOffice.js'
import { outOfScopeLostCard } from './outOfScopeLostCard.js'
import { outOfScopeReader } from './outOfScopeReader.js'
import { pageCannotBeDisplayed } from './pageCannotBeDisplayed.js'
import { passwordReset } from './passwordReset.js'
import { pinLockedOrForgotten } from './pinLockedOrForgotten.js'
import { registerCertificates } from './registerCertificates.js'
import { registeredStillFailing } from './registeredStillFailing.js'
import { registrationRequirements } from './registrationRequirements.js'
import { startOver } from './startOver.js'
import { thanks } from './thanks.js'

export { IntentSchema, NONE, type Intent } from './intent.js'

/** Every intent, alphabetical; `none` holds out-of-scope examples so the model learns what it cannot answer. */
export const intents: readonly Intent[] = [
  accessForbidden403,
  buyCac,
  cacregPrompt,
  cancel,
  certificateNotShown,
  certificatesRevoked,
  changePin,
  clearCache,
  clearSslState,
  edipiMismatch,
  goodbye,
  greeting,
  help,
  humanAgent,
  kickedBackToLogin,
  loginRequirements,
  newCacNotWorking,
  none,
  outOfScopeEmail,
  outOfScopeNetwork,
  outOfScopeOtherSite,
  outOfScopePayPersonnel,
  outOfScopeIdCardOffice,
  outOfScopeLostCard,
  outOfScopeReader,
  pageCannotBeDisplayed,
  passwordReset,
  pinLockedOrForgotten,
  registerCertificates,
  registeredStillFailing,
  registrationRequirements,
  startOver,
  thanks,
]
