/** The bot's own words (not procedure content, which lives in knowledge/). */
export const messages = {
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
  goodbye: 'Goodbye, and good luck. Come back any time you need help with your CAC.',
  nothingToCancel: "There's nothing to cancel. Tell me what's wrong whenever you're ready.",
  cancelled: "OK, I've stopped. Tell me what's wrong whenever you're ready, or say \"help\" to see what I can do.",
  startOver: "Let's start over. What problem are you having with your CAC or AKO/DKO?",
  askProblem: "What problem are you having with your CAC or AKO/DKO? Describe it, but don't include any PIN or password.",
  outOfScope:
    "Sorry, that's not something I can help with: I only know the AKO/DKO CAC help page (registering and logging in " +
    'with your CAC, certificates, PINs and passwords). A person at the help desk may be able to help.',
  outOfScopeTopic: (refer: string) => `Sorry, that's not something I can help with. ${refer} If you'd rather ask a person, choose "Talk to a person".`,
  spanishSteps: 'Entiendo su problema. Por ahora los pasos están solo en inglés; responda con los botones o con "yes" / "no".',
  spanishOutOfScope: 'Por ahora solo puedo responder en inglés.',
  didYouMean: 'I want to be sure I send you to the right steps. Did you mean one of these?',
  neither: 'Neither',
  rephrase: 'OK. Could you describe the problem in other words, or paste the exact error message? You can also ask for a person.',
  switching: (title: string) => `OK, let's look at that instead: ${title}.`,
  solvedQuestion: 'Did this solve your problem?',
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
    `The help desk is closed right now${hours ? ` (open ${hours})` : ''}, so no agent can join. Type a message for ` +
    `them and it will stay in the queue with what we tried (request ${id}), or say "cancel" to carry on with me.`,
  procedureChanged: 'These steps were updated since we started, so let me start them again from the top.',
  talkToPerson: 'Talk to a person',
  whatCanYouDo: 'What can you help with?',
} as const
