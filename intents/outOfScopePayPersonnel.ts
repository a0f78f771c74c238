import type { Intent } from './intent.js'

/** Out of scope, but a neighbour of CAC login problems: the bot says who usually handles it. */
export const outOfScopePayPersonnel = {
  id: 'out-of-scope-pay-personnel',
  refer:
    "Pay, leave, travel vouchers and personnel records are handled by your finance office or your unit's S1 (personnel/admin), not by this bot.",
  utterances: [
    "when do i get paid",
    "my les is wrong",
    "my bah is missing from my pay",
    "i need to submit a leave request",
    "my travel voucher hasnt been paid",
    "how do i update my direct deposit",
    "my promotion isnt showing in my pay",
    "how do i change my tax withholding",
    "my separation orders are wrong",
    "how do i update my address in my personnel file",
    "i need a copy of my dd 214",
    "my sgli beneficiary needs updating",
    "how do i enroll my dependents in deers",
    "i got married, how do i add my spouse",
    "my clearance investigation status",
    "security clearance question",
    "when is my reenlistment bonus paid",
    "pcs orders question",
    "my evaluation report is late",
    "how do i request retirement",
    "i was overpaid and have a debt",
    "where is my w2",
    "leave and earnings statement missing",
    "my special pay stopped",
    "i need a deployment pay answer",
    "how many days of leave do i have",
    "who handles my pay problem",
    "necesito ayuda con mi pago",
  ],
} satisfies Intent
