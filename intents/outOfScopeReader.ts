import type { Intent } from './intent.js'

/** Out of scope, but a neighbour of CAC login problems: the bot says who usually handles it. */
export const outOfScopeReader = {
  id: 'out-of-scope-reader',
  refer:
    "Card readers and their drivers are handled by your unit's IT support on a government computer; on your own computer, by the reader's maker or seller.",
  utterances: [
    "my card reader isnt detected",
    "cac reader light doesnt turn on",
    "which cac reader should i buy",
    "cac reader not working on my mac",
    "my usb card reader stopped working",
    "where do i get drivers for my cac reader",
    "computer doesnt see my card reader",
    "the reader blinks red",
    "my reader works with other cards but not this one",
    "cac reader not recognized by windows 11",
    "do i need a special reader for my chromebook",
    "card reader driver download",
    "the smart card reader in my laptop is broken",
    "can i use my phone as a cac reader",
    "reader says no card inserted",
    "what cac reader works with an ipad",
    "my reader is making a clicking noise",
    "the reader is loose in the usb port",
    "keyboard with cac reader not working",
    "usb c cac reader recommendations",
    "my cac reader stopped working after windows update",
    "reader not found error",
    "mi lector de cac no funciona",
    "how do i install a cac reader on my home computer",
    "my cac reader works at work but not at home, which driver",
    "card reader says driver unavailable",
    "who do i call about my card reader",
    "what do i need to use a cac reader at home",
    "do i need to install anything for my cac reader",
  ],
} satisfies Intent
