import type { Intent } from './intent.js'

/** Out of scope, but a neighbour of CAC login problems: the bot says who usually handles it. */
export const outOfScopeIdCardOffice = {
  id: 'out-of-scope-id-card-office',
  refer:
    "New cards, renewals, appointments, and expired or damaged cards are handled by your local ID card office (a RAPIDS site), not by this bot.",
  utterances: [
    "my cac expires next week, how do i renew it",
    "where is the nearest rapids site",
    "my cac is expired",
    "the chip on my cac is cracked",
    "my card is physically broken",
    "id card office appointment",
    "how do i schedule a cac renewal",
    "can i renew my cac online",
    "i need a new cac because my name changed",
    "my cac picture is old, can i update it",
    "how do i get a cac for my spouse",
    "dependent id card renewal",
    "my cac is peeling and the chip fell out",
    "where do i go to get a new cac made",
    "id card office hours",
    "book a rapids appointment",
    "my cac expired while i was deployed",
    "how long does it take to get a new cac",
    "can i walk in to get a new cac",
    "my cac got wet and doesnt work in any reader",
    "retiree id card question",
    "contractor needs a cac issued, where do they go",
    "my trusted agent needs to approve my cac",
    "tasp application for my cac",
    "my card is damaged",
    "mi cac esta vencida, como la renuevo",
    "necesito una cita para una nueva cac",
  ],
} satisfies Intent
