/** A title in quotes, once: some titles quote an error message already ("Page Cannot be Displayed"). */
const quoted = (title: string) => (title.startsWith('"') ? title : `"${title}"`)

/** The bot's own words (not procedure content, which lives in knowledge/). */
const contactQuestionText = 'How can the help desk reach you? Type an e-mail address or a phone number (with its area code), or say "I\'ll check back here".'

export const messages = {
  /** The most common problems, as short buttons on the welcome (phone-width labels). */
  welcomeButtons: [
    { title: 'New CAC not working', value: 'My new CAC is not working' },
    { title: '403 Forbidden', value: 'I get 403 Access Forbidden when I log in with my CAC' },
    { title: 'Forgot/locked PIN', value: 'I forgot my CAC PIN or it is locked' },
    { title: 'Cert not shown', value: "My CAC certificate isn't shown when I'm asked to choose one" },
    { title: 'Reset password', value: 'I need to reset my AKO password' },
  ],
  welcome:
    "Hi, I'm the CAC help-desk bot. I can help when your CAC won't register or log in to AKO/DKO: a new card, a missing " +
    'certificate, errors such as "403 – Access Forbidden" or "Page Cannot be Displayed", PIN and password problems.\n\n' +
    'Tell me what is wrong in your own words, or type "help". Never type your PIN, password, SSN or DoD ID number.',
  help:
    'I can walk you through the fixes on the AKO/DKO CAC help page:\n' +
    '- a new CAC that does not work\n- a "CACREG" box asking for your username and password\n' +
    '- your certificate not shown, or certificates revoked\n- "EDIPI does not match", "403 – Access Forbidden", ' +
    '"Page Cannot be Displayed", being sent back to the login page\n- changing your PIN, a locked PIN, resetting your password\n\n' +
    'Describe your problem or paste the error message. At any time you can say "start over", "cancel" or "talk to a person".',
  greeting: 'Hello! What problem are you having with your CAC or AKO/DKO? You can paste the error message.',
  thanks: "You're welcome. If anything else goes wrong with your CAC, just tell me.",
  closedOk: 'OK. If anything else goes wrong with your CAC, just tell me.',
  goodbye: 'Goodbye, and good luck. Come back any time you need help with your CAC.',
  nothingToCancel: "There's nothing to cancel. Tell me what's wrong whenever you're ready.",
  cancelled: "OK, I've stopped. Tell me what's wrong whenever you're ready, or say \"help\" to see what I can do.",
  startOver: "Let's start over. What problem are you having with your CAC or AKO/DKO?",
  askProblem: "What problem are you having with your CAC or AKO/DKO? Describe it, but don't include any PIN or password.",
  outOfScope:
    "Sorry, that's not something I can help with: I only know the AKO/DKO CAC help page (registering and logging in " +
    'with your CAC, certificates, PINs and passwords). A person at the help desk may be able to help.',
  outOfScopeAside: (refer: string) => `That's outside what I can help with here. ${refer}`,
  outOfScopeAsideUnknown: "That's outside what I can help with here: I only know the AKO/DKO CAC help page.",
  referTopic: (refer: string) => `${refer} If you'd rather ask a person, choose "Talk to a person".`,
  outOfScopeTopic: (refer: string) => `Sorry, that's not something I can help with. ${refer} If you'd rather ask a person, choose "Talk to a person".`,
  spanishSteps: 'Entiendo su problema. Por ahora los pasos están solo en inglés; responda con los botones o con "yes" / "no".',
  simpleAnswers: 'No problem: tap a button, or answer with one word such as "yes" or "no".',
  spanishOutOfScope: 'Por ahora solo puedo responder en inglés.',
  didYouMean: 'I want to be sure I send you to the right steps. Did you mean one of these?',
  neither: 'Neither',
  rephrase: 'OK. Could you describe the problem in other words, or paste the exact error message? You can also ask for a person.',
  switching: (title: string) => `OK, let's look at that instead: ${title}.`,
  glad: "Great, I'm glad that's sorted.",
  offerAgent: 'Would you like me to connect you with a help-desk agent? They will see what we tried.',
  exhausted: "That didn't fix it.",
  unclear: "I'm having trouble understanding your answers, so let's not guess.",
  noAgent: "OK. If you need anything else, just tell me what's wrong.",
  connecting: (id: string) =>
    `I'm connecting you with a help-desk agent and have passed on what we tried, without any PIN or password. ` +
    `Your request number is ${id}. Please keep this chat open; say "cancel" to carry on with me instead.`,
  // No agent accounts and no agents' channel: nobody can join. Where to turn is what the seed page says, nothing invented.
  noAgentHere:
    "No help-desk agent is available through this chat, sorry. For your account (an EDIPI that does not match, the CAC " +
    "serial number on your account, a password you can't reset), contact the AKO Help Desk. For the card itself, its " +
    'certificates or its PIN, contact your local ID Card office: AKO/DKO cannot reset a PIN. I can still help with anything else.',
  helpDeskClosed: (id: string, hours?: string) =>
    `The help desk is closed right now${hours ? ` (open ${hours})` : ''}, so no agent can join. You can leave a message ` +
    `for them (request ${id}) and an agent will answer it, or say "cancel" to carry on with me. ${contactQuestionText}`,
  // Its words "an e-mail address or a phone number" tell redaction (src/core/secrets.ts) what answer to expect.
  contactQuestion: contactQuestionText,
  contactActions: ["I'll check back here", 'Cancel'],
  procedureChanged: 'These steps were updated since we started, so let me start them again from the top.',
  knownBrowser: (name: string) => `You're using ${name}, so here are the steps for it.`,
  hintedBrowser: (name: string) =>
    `This page is open in ${name}, so here are the ${name} steps. If your CAC reader is on another computer, ` +
    'tell me the browser you use there and I\'ll switch the steps.',
  alreadyTried: (title: string) => `You said you've already done this (${title.charAt(0).toLowerCase() + title.slice(1)}), so let's go on.`,
  triedThatStep: "OK, you'd already tried that, so let's go on.",
  backTo: 'Back to where we were:',
  seeAbove: '(the full list is above; say "say that again" to see it here again)',
  noAdmin:
    "Admin rights on your computer may not let you install or change this yourself. Your local IT team can: ask them " +
    'to do this step for you.',
  noAdminNeeded:
    "This step is done in the browser's own settings, which don't usually need admin rights (general browser " +
    "procedure, not from the page). If this computer blocks it, whoever runs the computer can do it for you.",
  noContactDetails:
    'The help page gives no phone number, e-mail or address for the help desk or the ID card office, so I can\'t give ' +
    'you one and won\'t guess.',
  // Seed: "Any contractors or Army related users can also email to request access to the ActivClient folder on the AKO portal."
  stepEmail:
    'The help page says only that Army users and contractors can e-mail to request access to the ActivClient folder on ' +
    "the AKO portal. It gives no address and no wording, so I can't give you either and won't guess; your local IT team " +
    'will know where such requests go.',
  cantContactForYou:
    "I can't contact anyone for you from this chat, and the help page gives no phone number, e-mail or address for the " +
    "help desk or the ID card office, so I won't guess one.",
  orPerson: '(Or say "talk to a person" and a help-desk agent will take it from here.)',
  agentSeesAll: 'The agent who joins this chat will see what we tried here.',
  lastStepWas: 'Where the help page left it:',
  browserConfirmed: (name: string) => `Good: the steps above are the ones for ${name}.`,
  because: 'The help page puts it this way:',
  stepDoneAlready: "You've already done that step, so on to the next one.",
  sameStep: 'Then the step above is the right one for you.',
  forMe: "I can't do that from this chat: it's a step you do yourself, and nobody needs your PIN or password to help you.",
  noLocalIt:
    "The help page doesn't say who your local IT team is or how to reach them, so I won't guess: your unit or the site " +
    'you work at can tell you who supports your computer (for soldiers, often the S6).',
  noContactAgent: 'I can connect you with a help-desk agent here instead: just say "talk to a person".',
  browserNotCovered: (name: string) =>
    `The help page's steps don't cover ${name}: they are written for Internet Explorer on Windows (Edge, Chrome and Firefox ` +
    'get general browser steps here). If the computer with your CAC reader has one of those, pick it; otherwise your ' +
    'local IT team is the one to ask.',
  macNote:
    "You're on a Mac: the help page's steps are written for Windows computers (Internet Explorer and ActivClient) and it " +
    'says nothing about a Mac. Try them on a Windows computer if you can; for a Mac, your local IT team is the one to ask.',
  expiredCard: 'To register or log in to AKO/DKO with your CAC, the CAC must be valid (not expired), so an expired card has to be renewed first.',
  vagueAgain: 'In other words: what happens when you try to log in with your CAC? Type the error you see, or tap the one that fits:',
  vague: 'I want to get you to the right fix. What do you see when it fails? Paste the error message, or pick the closest:',
  tellMeWhenDone: 'Tell me when you\'ve done that, or ask me how.',
  offerExplained:
    'A help-desk agent can check that for you: if you say yes, I\'ll pass them what we tried and you can chat with them here.',
  undone: "OK, let's go back to that question.",
  undoFirst: "That's the first question here, so here it is again.",
  sameProblem: "We're already working on that. Here's where we are:",
  sameProblemAsk: "We're already working on that, and I need one thing from you to go on.",
  soundsLike: (title: string) => `That sounds like: ${title}. (If that's not it, say "something else".)`,
  otherMatterKept: (title: string) => `You also mentioned ${quoted(title)}: we'll do that one next (say "back" to go to it now).`,
  otherMatterOffer: (title: string) => `You also mentioned ${quoted(title)}. Say "back" to start on it.`,
  pausedNote: (title: string) => `(We can come back to ${quoted(title)} afterwards: just say "back".)`,
  returnOffer: (title: string) => `Earlier we were working on ${quoted(title)}. Say "back" to return to it.`,
  generalSteps: '(General steps for this browser: the help page points to them but does not list them.)',
  onTo: (title: string) => `OK, on to ${quoted(title)}.`,
  resuming: (title: string) => `OK, back to ${quoted(title)}.`,
  nothingToResume: "We're not in the middle of any steps. Tell me what's wrong and I'll walk you through the fix.",
  notedFact: 'Got it, thanks.',
  stuckOffer: 'We seem to be stuck on this question. If you\'d rather, a help-desk agent can take it from here: say "talk to a person". Or answer it in your own words.',
  takeYourTime: "Sure, take your time. I'll be here: when you've tried it, tell me how it went.",
  stepHelpAgain: 'That is all the help page says about this step. A help-desk agent can walk you through it: say "talk to a person". Or tell me what you see on your screen.',
  hurry: "I'll keep it short: the right fix depends on your answer to this one question.",
  corrected: "Thanks for correcting me. Let's redo that with the right details.",
  newFact: 'Thanks, that changes the steps for you.',
  empathy: "I'm sorry, this is frustrating, especially when you just need to get in. Let's get it sorted.",
  empathyMidStep:
    "I'm sorry, this is frustrating, especially when you just need to get in. We can keep going, or say \"talk to a " +
    'person" and I\'ll hand this over with what we tried.',
  ventNoProblem:
    "I'm sorry, this is frustrating, especially when you just need to get in. Tell me what you see (the exact " +
    'error message helps) and I\'ll walk you through the fix, or say "talk to a person" for the help desk.',
  closedThanks: "You're welcome! If it's still not working later, come back and tell me where you got to.",
  closedSolved: "Great, I'm glad that's sorted. Come back any time you need help with your CAC.",
  referralFailed: "Sorry they couldn't help. The help page's route is still this one:",
  referralAgain: "The help page gives this route for you:",
  referralSorry: "Sorry they couldn't help.",
  referralHelpDesk: 'If that is a dead end too, the AKO Help Desk is the one to contact (the help page gives no phone number or address for it).',
  referralPerson: 'If that is a dead end, a help-desk agent can look further: tap below or say "talk to a person".',
  stillBrokenAfter: "Sorry it still isn't working. The steps on the help page are used up, so the help desk is the next step.",
  stepHelp: 'Here it is in more detail:',
  stepHelpGeneric: "Here's that step again, one thing at a time. If you get stuck on it, say \"talk to a person\".",
  whereWeLeftIt: "Here's where we left it:",
  helpDeskIsTheRoute: 'Yes, this one is for the help desk:',
  pushBack: "I understand that's not what you hoped to hear, and I'm sorry. The help page is clear on this, so here is the way forward again:",
  otherPersonPassword:
    'Only the account holder can reset their own AKO/DKO password: they use the portal\'s "Reset AKO password" option ' +
    'themselves, and if they can\'t reset it, they contact the AKO Help desk. Nobody else should know or type their password.',
  otherPerson:
    "Only the card holder can sort out their own CAC PIN, and no one should share a PIN. They need to contact their " +
    'local ID card office themselves: AKO/DKO does not have the ability to reset a PIN.',
  rephraseProblem: 'OK. Could you describe the problem in other words, or paste the exact error message?',
  clarify: 'Which of these is closer?',
  whatTheyNeed:
    "The help page doesn't say what they will ask for. Tell them what you see (the exact error) and what you already " +
    'tried here. Never give anyone your PIN or password: nobody needs them to help you.',
  ownInfo:
    "Nobody here needs your PIN, password, SSN or DoD ID number, and anything that looks like one is removed from this " +
    "chat before it is kept. I can't see anyone's account from here (the help desk can check one), and I don't need " +
    'personal details to help.',
  didThatHelp: "OK. Did that fix it: does it work now? If it doesn't, say so and we'll go on to the next step.",
  aboutBot:
    "I'm the CAC help-desk bot, an automated assistant, not a person. I can walk you through the fixes on the AKO/DKO " +
    'CAC help page; say "talk to a person" at any time for a help-desk agent.',
  alreadyQueued: 'You\'re in the queue for a help-desk agent: they will join this chat and see what we tried. Say "cancel" to carry on with me instead.',
  stillQueued: "You're still in the queue for a help-desk agent; they will see this too.",
  closedWhileWaiting: "You're welcome. Your request stays with the help desk and an agent will reply here; say \"cancel\" if you no longer need one.",
  talkToPerson: 'Talk to a person',
  whatCanYouDo: 'What can you help with?',
} as const
