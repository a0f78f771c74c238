import { describe, expect, it } from 'vitest'
import {
  extractFacts,
  ownWords,
  readAnswer,
  saysSolved,
  signalsOf,
  termAsked,
  understand,
  type PendingQuestion,
  type RouteLike,
  type UnderstandingContext,
} from '../../src/core/understanding.js'
import { pendingOf } from '../../dialogs/procedureDialog.js'
import { procedures } from '../helpers/conversation.js'

const check: PendingQuestion = { kind: 'check', question: 'Does the page open now?' }

describe('readAnswer to "did it work?"', () => {
  it.each([
    { text: 'did that, nothing changed', kind: 'failed' },
    { text: 'yes!! thanks', kind: 'worked' },
    { text: 'it wroked', kind: 'worked' },
    { text: 'yes but it still doesnt work', kind: 'failed' },
    { text: 'no more errors, it works', kind: 'worked' },
    { text: 'i already did that', kind: 'failed' },
    { text: 'ok did that', kind: 'done-unverified' },
    { text: 'k', kind: 'done-unverified' },
    { text: 'idk', kind: 'unsure' },
    { text: 'yes please', kind: 'unsure' },
    { text: 'ya its good now', kind: 'worked' },
    { text: 'nope same error', kind: 'failed' },
    { text: '👍', kind: 'worked' },
    { text: '👎👎', kind: 'failed' },
  ])('reads "$text" as $kind', ({ text, kind }) => {
    expect(readAnswer(text, check)?.kind).toBe(kind)
  })

  it.each(['yes', 'Yes', 'yep it works now', 'fixed!', '1'])('reads "%s" as worked', (text) => {
    expect(readAnswer(text, check)?.kind).toBe('worked')
  })

  it.each(['no', 'nope', 'still broken', "yes but it still doesn't work", '2', 'same error'])('reads "%s" as failed', (text) => {
    expect(readAnswer(text, check)?.kind).toBe('failed')
  })

  it.each(['purple', '', '3', 'maybe later'])('settles nothing with "%s"', (text) => {
    expect(['worked', 'failed']).not.toContain(readAnswer(text, check)?.kind)
  })

  it.each([
    ['not sure', 0], ["I don't know", 0], ['no', 1], ['not yet', 1], ['yes', 2], ['Yes, it is', 2], ['I already did', 2], ['3', 2],
  ])('picks the longest phrase found: "%s" is option %i', (text, index) => {
    const registered: PendingQuestion = {
      kind: 'ask',
      question: 'Is it registered?',
      options: [
        { label: 'Not sure', synonyms: ['not sure', 'dont know'] },
        { label: 'No', synonyms: ['no', 'not yet'] },
        { label: 'Yes, it is', synonyms: ['yes', 'already'] },
      ],
    }
    expect(readAnswer(text as string, registered)).toMatchObject({ kind: 'option', index })
  })

  it('marks "I already did that" as tried, so the trail says so', () => {
    expect(readAnswer('already tried that', check)).toEqual({ kind: 'failed', alreadyTried: true })
  })

  it('lets a step declare its own phrases', () => {
    const seeIt: PendingQuestion = { kind: 'check', question: 'Do you see it?', failed: ['dont see it'] }
    expect(readAnswer('i dont see it', seeIt)).toEqual({ kind: 'failed', alreadyTried: false, by: 'phrase' })
  })
})

describe('readAnswer: answers that say too little', () => {
  const branch: PendingQuestion = {
    kind: 'ask',
    question: 'Are you Army, another branch of service, or a contractor?',
    slot: 'branch',
    options: [{ label: 'Army', values: ['army'] }, { label: 'Another branch', values: ['other-branch'] }, { label: 'Contractor', values: ['contractor'] }],
    unsure: ['civilian', 'gs'],
  }
  it('reads a phrase the question declares as unsure, and a branch said with it as the branch', () => {
    expect(readAnswer("i'm a civilian", branch)).toEqual({ kind: 'unsure' })
    expect(readAnswer('gs-12 army civilian', branch)).toMatchObject({ kind: 'option', index: 0 })
    expect(readAnswer('navy civilian', branch)).toMatchObject({ kind: 'option', index: 1 })
  })
})

describe('extractFacts', () => {
  it.each([
    { text: 'edge i think', facts: { browser: 'edge' } },
    { text: 'not chrome, edge', facts: { browser: 'edge' } },
    { text: 'wait sorry actually im on edge, chrome is my home pc', facts: { browser: 'edge' } },
    { text: 'i know my pin, i just want to change it', facts: { pin: 'known' } },
    { text: 'forgot my pin', facts: { pin: 'unknown' } },
    { text: 'my pin is locked after 3 tries', facts: { pin: 'locked' } },
    { text: 'im a contractor for the army', facts: { branch: 'contractor' } },
    { text: 'army reserve', facts: { branch: 'army' } },
    { text: 'its not registered yet', facts: { registered: 'no' } },
    { text: 'not sure if its registered', facts: { registered: 'unsure' } },
    { text: 'my cac is registered but still 403', facts: { registered: 'yes' } },
    { text: "it's not my PIN, it's my password", facts: {} },
    { text: 'on my iphone', facts: { os: 'ios' } },
    // The PIN's state said around a value removed by redaction, or asked about: a typed PIN that is refused is not known.
    { text: 'my pin is [redacted] and the reader keeps saying it is wrong', facts: { pin: 'unknown' } },
    { text: 'pin [redacted] isnt accepted anymore', facts: { pin: 'unknown' } },
    { text: 'the box shows incorrect pin every time', facts: { pin: 'unknown' } },
    { text: 'activclient keeps refusing my pin', facts: { pin: 'unknown' } },
    { text: 'i typed my pin 3 times and it just doesnt work', facts: { pin: 'unknown' } },
    { text: 'tengo el pin [redacted] pero no funciona', facts: { pin: 'unknown' } },
    { text: 'pin got rejected again, have i locked it?', facts: { pin: 'locked' } },
    { text: 'it wont take my pin now, is it blocked?', facts: { pin: 'locked' } },
    { text: 'el pin ya no sirve, creo que lo bloquee', facts: { pin: 'locked' } },
    { text: 'i know my pin but the site says wrong password', facts: { pin: 'known' } },
    { text: 'it never asks for my pin and the page doesnt work', facts: {} },
    { text: 'pin works, then it says invalid certificate', facts: { pin: 'known' } },
    { text: 'AF civ, card is new', facts: { branch: 'other-branch' } },
    { text: 'im not army, im af', facts: { branch: 'other-branch' } },
    { text: 'DAF civilian', facts: { branch: 'other-branch' } },
    { text: 'usn', facts: { branch: 'other-branch' } },
    { text: 'coastie here', facts: { branch: 'other-branch' } },
    { text: 'USSF', facts: { branch: 'other-branch' } },
    { text: 'air national guard', facts: { branch: 'other-branch' } },
    { text: 'DA civ at the garrison', facts: { branch: 'army' } },
    { text: 'army contractor', facts: { branch: 'contractor' } },
    { text: 'af ctr', facts: { branch: 'contractor' } },
    { text: 'this is slow af', facts: {} },
    { text: 'back says something like IDEMIA', facts: { cardModel: 'other' } },
    { text: 'its not gemalto or oberthur', facts: { cardModel: 'other' } },
    { text: 'the yellow text is not the two names you listed', facts: { cardModel: 'other' } },
    { text: 'gemalto top dl gx4 144, not the oberthur one', facts: { cardModel: 'gemalto-top-dl-gx4-144' } },
    { text: 'not working, the back says oberthur', facts: { cardModel: 'oberthur-id-one-128-v5.5-dual' } },
    { text: 'it doesnt say gemalto', facts: {} },
    { text: 'I work for Leidos', facts: { branch: 'contractor' } },
    { text: 'I support the Army as a contractor', facts: { branch: 'contractor' } },
    { text: "used to be a contractor, now I'm DA civ", facts: { branch: 'army' } },
    { text: "my contractor coworker has it working, I'm navy", facts: { branch: 'other-branch' } },
    { text: 'TSgt here', facts: { branch: 'other-branch' } },
    { text: 'SPC, new card', facts: { branch: 'army' } },
    { text: 'former marine now DA civ', facts: { branch: 'army' } },
    { text: "can't get into Army Knowledge Online", facts: {} },
    { text: 'my army buddy has it working', facts: {} },
    { text: 'it doesnt match either of those, the back says thales', facts: { cardModel: 'other' } },
    { text: 'the back shows something, not those steps', facts: {} },
  ])('finds $facts in "$text"', ({ text, facts }) => {
    expect(extractFacts(text).facts).toEqual(facts)
  })

  it('notes what the user already tried, and a correction', () => {
    expect(extractFacts('i already cleared my cache')).toMatchObject({ tried: ['clear-cache'] })
    expect(extractFacts('actually im on firefox')).toMatchObject({ correction: true })
  })
})

describe('signalsOf', () => {
  it.each([
    { text: 'how do i do that?', signal: 'step-help' },
    { text: 'sorry can u say that again', signal: 'repeat' },
    { text: 'ok back to it', signal: 'resume' },
    { text: 'can i talk to a real person pls', signal: 'person' },
    { text: 'this is ridiculous', signal: 'vent' },
    { text: 'cant you just reset it', signal: 'push-back' },
    { text: 'my soldier forgot his pin', signal: 'other-person' },
    { text: '👍', signal: 'thanks' },
    { text: 'ok bye', signal: 'bye' },
    { text: 'nvm it works now', signal: 'worked' },
    { text: 'are you a real person or a bot?', signal: 'about-bot' },
    { text: 'did you get my info?', signal: 'own-info' },
    { text: 'THE SITE KEEPS THROWING ME OUT AGAIN', signal: 'vent' },
    { text: 'could a help desk tech unlock it for me', signal: 'push-back' },
    { text: 'surely some vendor sells them', signal: 'push-back' },
    { text: 'can you read the steps again, more slowly', signal: 'repeat' },
    { text: 'hmm where on the card', signal: 'step-help' },
  ])('hears $signal in "$text"', ({ text, signal }) => {
    expect(signalsOf(text)).toContain(signal)
  })
})

describe('understand', () => {
  const context = (route: RouteLike, extra: Partial<UnderstandingContext> = {}): UnderstandingContext => ({
    route,
    facts: {},
    isPolicy: (id) => id === 'pin-locked-or-forgotten',
    procedureOf: (id) => (['help', 'none', 'thanks'].includes(id) ? undefined : id),
    scoreOf: () => 0.4,
    minScore: 0.5,
    ...extra,
  })

  it('gives a policy line at moderate confidence even while a question is pending', () => {
    const reading = understand('ugh and now my pin is locked too', context({ kind: 'intent', intentId: 'pin-locked-or-forgotten', score: 0.4 }, { pending: check, active: 'cacreg-prompt' }))
    expect(reading).toMatchObject({ kind: 'policy', intentId: 'pin-locked-or-forgotten', pushBack: false })
  })

  it('restates the last policy on push-back instead of offering a person', () => {
    const reading = understand('just transfer me to the help desk so they can reset it', context({ kind: 'intent', intentId: 'human-agent', score: 0.9 }, { lastPolicy: 'pin-locked-or-forgotten' }))
    expect(reading).toMatchObject({ kind: 'policy', pushBack: true })
  })

  it('acts on one likely candidate with a hedge, never a one-option "did you mean"', () => {
    expect(understand('the ssl thing', context({ kind: 'suggest', intentIds: ['clear-ssl-state'] }))).toMatchObject({ kind: 'problem', hedge: true })
    expect(understand('ssl or cache', context({ kind: 'suggest', intentIds: ['clear-ssl-state', 'clear-cache', 'register-certificates'] }))).toMatchObject({ kind: 'clarify', intentIds: ['clear-ssl-state', 'clear-cache'] })
  })

  it('drops a candidate that contradicts a fact', () => {
    const fits = (id: string, facts: { pin?: string }) => !(id === 'pin-locked-or-forgotten' && facts.pin === 'known')
    const reading = understand('i remember my pin, want a new one', context({ kind: 'suggest', intentIds: ['change-pin', 'pin-locked-or-forgotten'] }, { fits }))
    expect(reading).toMatchObject({ kind: 'problem', intentId: 'change-pin' })
  })

  it('takes a question about the step as step help, not as a "no"', () => {
    expect(understand('where is tools?? i dont see it', context({ kind: 'none' }, { pending: check, active: 'page-cannot-be-displayed' })).kind).toBe('step-help')
  })

  it('takes "it works" said with the step as solved, at any question', () => {
    expect(understand('ok cleared the ssl state, it works', context({ kind: 'intent', intentId: 'clear-ssl-state', score: 0.9 }, { pending: check, active: 'x' }))).toMatchObject({ kind: 'answer', answer: { kind: 'worked' } })
    const ask: PendingQuestion = { kind: 'ask', question: 'Which browser?', options: [{ label: 'Edge' }, { label: 'Chrome' }] }
    expect(understand('cleared it, the page loads now', context({ kind: 'none' }, { pending: ask, active: 'x' })).kind).toBe('worked')
  })

  it('hears a new problem said as such, though it asks "how"', () => {
    const reading = understand('oh also my password expired, how do i reset that', context({ kind: 'intent', intentId: 'password-reset', score: 0.97 }, { pending: check, active: 'change-pin', running: ['change-pin'] }))
    expect(reading).toMatchObject({ kind: 'problem', intentId: 'password-reset' })
  })

  it('gives the PIN rule to a question about resetting a PIN, whoever is asked', () => {
    expect(understand('will they be able to reset my pin too?', context({ kind: 'none' }))).toMatchObject({ kind: 'policy', intentId: 'pin-locked-or-forgotten' })
  })

  it('asks whether a part done from its summary helped, and goes on past it when it did not', () => {
    const ask: PendingQuestion = { kind: 'ask', question: 'Which browser?', options: [{ label: 'Edge' }, { label: 'Chrome' }] }
    const inPart = { pending: ask, active: 'page-cannot-be-displayed', running: ['page-cannot-be-displayed', 'clear-cache'] }
    expect(understand('ok did that', context({ kind: 'none' }, inPart)).kind).toBe('done-part')
    expect(understand('no', context({ kind: 'none' }, { ...inPart, askedIfDone: true }))).toMatchObject({ kind: 'tried-running', procedureId: 'clear-cache' })
  })

  it('takes the running problem said again as that problem, even at a low score, not as an unclear answer', () => {
    const model: PendingQuestion = { kind: 'ask', question: 'Does it say Gemalto or Oberthur?', slot: 'cardModel', options: [{ label: 'Yes', values: ['gemalto-top-dl-gx4-144', 'oberthur-id-one-128-v5.5-dual'] }, { label: 'No, something else', values: ['other'] }] }
    const running = { pending: model, active: 'new-cac-not-working', running: ['new-cac-not-working'] }
    expect(understand('my cac doesnt work on ako at all, brand new card', context({ kind: 'intent', intentId: 'new-cac-not-working', score: 1 }, running)).kind).toBe('same-problem')
    expect(understand('the new one still wont go on ako', context({ kind: 'none' }, { ...running, ranked: ['new-cac-not-working'], scoreOf: () => 0.35 })).kind).toBe('same-problem')
    // Below a hedge it is no reading of that problem; the model named is an answer, not the problem again.
    expect(understand('the new one still wont go on ako', context({ kind: 'none' }, { ...running, ranked: ['new-cac-not-working'], scoreOf: () => 0.1 })).kind).not.toBe('same-problem')
    expect(understand('new card, it says gemalto', context({ kind: 'intent', intentId: 'new-cac-not-working', score: 0.9 }, running)).kind).toBe('answer')
  })

  it('resumes the problem left for a side one on "back to mine"', () => {
    const ask: PendingQuestion = { kind: 'ask', question: 'Is it registered?', slot: 'registered', options: [{ label: 'Yes', values: ['yes'] }, { label: 'No', values: ['no'] }] }
    const reading = understand('ok back to mine. it says gemalto top dl gx4 144', context({ kind: 'none' }, { pending: ask, active: 'access-forbidden-403', paused: true }))
    expect(reading.kind).toBe('resume')
  })

  it('closes on thanks, but not while venting', () => {
    expect(understand('thanks', context({ kind: 'intent', intentId: 'thanks', score: 0.9 }, { pending: check, active: 'x' })).kind).toBe('close')
    expect(understand('thanks for nothing, this is ridiculous', context({ kind: 'intent', intentId: 'thanks', score: 0.9 })).kind).toBe('vent')
  })
})

describe('saysSolved: "it works" said along with the step', () => {
  it.each(['ok cleared the cookies, it works', 'got into activclient, pin is changed now', 'oh there it is, i can see it now, thanks', 'deleted my history and the site opens now',
    'restarted and it went through', 'did that, the popup went away', 'now they show up, i can select them', 'ok the window is gone and the card registered'])(
    'hears it in "%s"',
    (text) => expect(saysSolved(text)).toBe(true),
  )
  it.each(['it was working until i got my new card', 'it works on my home pc but not at work', 'does it work in edge?', 'it opens a blank white page now', 'the site loads but then it says 403', 'still not fixed',
    'i went through all the steps', 'my card registered months ago', 'did that fix it', 'the popup is gone but still 403'])(
    'does not hear it in "%s"',
    (text) => expect(saysSolved(text)).toBe(false),
  )
})

describe('termAsked: what a word the steps use means', () => {
  const terms = [{ term: 'ActivClient', names: ['active client'] }, { term: 'PKCS#11', names: ['pkcs', 'pkcs11'] }]
  it.each([
    ['wait whats activclient?', 'ActivClient'],
    ['what even is active client', 'ActivClient'],
    ['lol my kid asks what is a pkcs', 'PKCS#11'],
  ])('finds the term in "%s"', (text, term) => expect(termAsked(text, terms)).toBe(term))
  it.each(['open activclient', 'what is my pin', 'whats next'])('finds none in "%s"', (text) => expect(termAsked(text, terms)).toBeUndefined())
})

describe('every question in knowledge/ reads its own answers back', () => {
  const questions = [...procedures.values()].flatMap((procedure) =>
    procedure.steps.flatMap((step, index) => {
      const pending = pendingOf(step, procedure, index)
      return pending?.kind === 'ask' ? [{ where: `${procedure.id}/${step.id}`, pending, options: step.ask!.options }] : []
    }),
  )

  it.each(questions)('$where', ({ pending, options }) => {
    options.forEach((option, index) => {
      for (const phrase of [option.label, ...option.synonyms]) {
        const reading = readAnswer(phrase, pending)
        expect(reading, `"${phrase}"`).toMatchObject({ kind: 'option', index })
      }
    })
  })
})

describe("ownWords: the user's own words in a pasted e-mail or form", () => {
  it('drops a forwarded block up to its separator and keeps the comment after it', () => {
    const text = '---------- Forwarded message ----------\nFrom: S6\nSubject: RE: CAC\n\nPlease contact the helpdesk.\n\n---\nthats what they sent, i still get 403'
    expect(ownWords(text)).toBe('thats what they sent, i still get 403')
  })
  it('drops quoted and "Key: value" lines, keeps the lines around them', () => {
    const text = 'pasting what my unit sent me:\n> SM: SPC Rivera\nIssue: EDIPI does not match\nAction: contact helpdesk\nso what do i do'
    expect(ownWords(text)).toBe('pasting what my unit sent me:\nso what do i do')
  })
  it('takes the last paragraph of a forwarded block that never closes as the comment', () => {
    const text = 'From: S6\nSubject: CAC\nCall the help desk.\n\nwhat does this mean'
    expect(ownWords(text)).toBe('what does this mean')
  })
  it('leaves a message of one or two lines alone', () => {
    expect(ownWords('Subject: help\nmy cac is locked')).toBe('Subject: help\nmy cac is locked')
  })
  it('reads no request for contact details from what someone else wrote', () => {
    expect(signalsOf(ownWords('From: S6\nSubject: x\nemail the help desk for their number\n---\nit still says 403')).has('contact')).toBe(false)
  })
})

describe('answers read this session (from held-out sets and testers)', () => {
  const changed: PendingQuestion = { kind: 'check', question: 'Did your PIN change?' }
  it.each([
    ['changed!!', 'worked'],
    ['changed, thanks!', 'worked'],
    ['i change it to [redacted] is that ok?', 'unsure'],
    ['I change to [redacted] is OK?', 'unsure'],
    ['okay it took the new one thank you period', 'worked'],
    ['cant find activident in all programs', 'failed'],
  ])('"%s" to "Did your PIN change?" reads as %s', (text, kind) => {
    expect(readAnswer(text, changed)?.kind).toBe(kind)
  })

  it('does not read a question asked back as the option it names', () => {
    const registered = pendingOf(procedures.get('access-forbidden-403')!.steps[0]!)!
    const reading = readAnswer('is it registered?? how am i supposed to know that', registered)
    expect(reading).toMatchObject({ kind: 'option' })
    expect(registered.kind === 'ask' && reading?.kind === 'option' ? registered.options[reading.index]!.means : undefined).toBe('unsure')
  })

  it('hears spoken punctuation, asks for step help, and reads a browser named and denied as none', () => {
    expect(signalsOf('how do i do step 2')).toContain('step-help')
    expect(signalsOf('why?')).toContain('step-help')
    expect(signalsOf('cant find activident in all programs, win 11')).toContain('step-help')
    expect(signalsOf('okay it took the new one thank you period')).toContain('thanks')
    expect(extractFacts('how do i do it with internet explorer, this computer doesnt even have IE').facts.browser).toBeUndefined()
    expect(extractFacts('this pc doesnt have chrome, its edge').facts.browser).toBe('edge')
    expect(extractFacts('the old one was registered yeah').facts.registered).toBe('no')
  })
})
