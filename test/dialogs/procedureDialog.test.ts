import { describe, expect, it } from 'vitest'
import { ConversationState, MemoryStorage } from 'botbuilder'
import { DialogTestClient } from 'botbuilder-testing'
import { DialogTurnStatus } from 'botbuilder-dialogs'
import { ProcedureDialog, type ProcedureOutcome } from '../../dialogs/procedureDialog.js'
import { createHelpDeskState, type Profile } from '../../dialogs/helpDeskState.js'
import { buttons, procedures, say, sayActivities } from '../helpers/conversation.js'
import type { Procedure } from '../../src/core/procedures.js'

function procedureClient(procedureId: string, { profile, knowledge = procedures }: { profile?: Profile; knowledge?: ReadonlyMap<string, Procedure> } = {}) {
  const conversationState = new ConversationState(new MemoryStorage())
  const state = createHelpDeskState(conversationState)
  const middlewares = profile
    ? [{ onTurn: async (context: never, next: () => Promise<void>) => { await state.profile.set(context, profile); await next() } }]
    : []
  const dialog = new ProcedureDialog(knowledge, state, 2, { staffed: true })
  return new DialogTestClient('test', dialog, { procedureId }, middlewares, conversationState)
}

const result = (client: DialogTestClient) => client.dialogTurnResult.result as ProcedureOutcome

describe('ProcedureDialog', () => {
  it('escalates "Page Cannot be Displayed" after the cache and SSL 2.0 steps both fail', async () => {
    const client = procedureClient('page-cannot-be-displayed')

    expect(await say(client, 'start')).toEqual([
      'Step 1 of 2: A "Page Cannot be Displayed" error is first fixed by clearing your temporary files and cookies (the cache).',
      "Step 1 of 2 (part 1 of 2): Here's how to clear your temporary internet files and cookies (the cache).",
      'Which browser are you using?',
    ])
    const ie = await say(client, 'Internet Explorer')
    expect(ie[0]).toContain('Step 1 of 2 (part 2 of 2): In Internet Explorer:') // a sub-procedure reads as part of its step
    expect(ie[0]).toContain('2. On the General tab, under Browsing history, click Delete…')
    expect(ie[1]).toBe('Try again now. Does it work?')
    const ssl = await say(client, 'no')
    expect(ssl[0]).toContain('Step 2 of 2: Clearing the cache didn\'t help, so confirm SSL 2.0 is disabled. In Internet Explorer:')
    expect(ssl[0]).toContain('4. Scroll to the bottom of the list and uncheck SSL 2.0')
    expect(ssl[1]).toBe('Does the page open now?')
    expect(await say(client, 'nope, same error')).toEqual([
      "The page still can't be displayed. A help-desk agent can take it from here and will see what we tried.",
    ])

    expect(result(client)).toMatchObject({ outcome: 'handoff', procedureId: 'page-cannot-be-displayed', outcomeId: 'escalate' })
    expect(result(client).trail.map((t) => `${t.stepId}=${t.answer}`)).toEqual([
      'which-browser=Internet Explorer',
      'cache-ie=No',
      'ssl-2=No',
    ])
  })

  it('ends resolved as soon as a step works', async () => {
    const client = procedureClient('page-cannot-be-displayed')

    await say(client, 'start')
    await say(client, 'chrome')
    const replies = await say(client, 'yes it works now')

    expect(replies).toEqual([])
    expect(client.dialogTurnResult.status).toBe(DialogTurnStatus.complete)
    expect(result(client)).toMatchObject({ outcome: 'resolved', procedureId: 'clear-cache', atStep: 'cache-chrome' })
  })

  it('skips "Which browser?" when the browser is already known', async () => {
    const client = procedureClient('clear-cache', { profile: { browser: 'firefox' } })

    const replies = await say(client, 'start')

    expect(replies[0]).toBe("You're using Firefox, so here are the steps for it.")
    expect(replies[1]).toMatch(/^Step 2 of 2: In Firefox:/) // the question answered from what we knew still counts
    expect(replies[2]).toBe('Try again now. Does it work?')
  })

  it('sends a locked PIN to the ID card office and a known PIN to ActivClient', async () => {
    const locked = procedureClient('change-pin')
    await say(locked, 'start')
    expect(await say(locked, "It's locked")).toEqual([
      'Contact your local ID card office: they handle issues with your CAC, its certificates and its PIN. AKO/DKO cannot reset your PIN.',
    ])
    expect(result(locked)).toMatchObject({ outcome: 'referred', outcomeId: 'id-card-office' })

    const known = procedureClient('change-pin')
    await say(known, 'start')
    const steps = await say(known, 'yes')
    expect(steps[0]).toBe(
      "Step 2 of 2: Open ActivClient's User Console:\n\n1. All Programs\n2. ActivIdentity\n3. ActivClient\n4. User Console\n" +
        "5. Under the 'Tools' menu, click 'Change PIN' and follow the prompts",
    )
    expect(steps[1]).toBe('Did your PIN change?')
  })

  it('offers buttons for every answer', async () => {
    const client = procedureClient('new-cac-not-working')

    const first = await sayActivities(client, 'start')
    const second = await sayActivities(client, 'Yes')

    expect(buttons(first)).toEqual(['Yes', 'No, something else'])
    expect(buttons(second)).toEqual(['Army', 'Another branch', 'Contractor'])
  })

  it('asks again on an unclear answer, then gives up as unclear after two more tries', async () => {
    const client = procedureClient('password-reset')
    await say(client, 'start')

    expect(await say(client, 'purple')).toEqual([
      // "purple" says nothing about the step being done, so the re-ask doesn't claim it was.
      'Sorry, I didn\'t quite get that. Were you able to reset your password? Say "yes, it works" or "no, still not working".',
    ])
    await say(client, 'banana')
    expect(await say(client, 'what')).toEqual([])

    expect(result(client)).toMatchObject({ outcome: 'unclear', procedureId: 'password-reset' })
  })

  it('restarts from the top when the procedure was edited under a live conversation', async () => {
    const edited = new Map(procedures)
    const client = procedureClient('change-pin', { knowledge: edited })
    await say(client, 'start')
    await say(client, 'yes')
    edited.set('change-pin', { ...procedures.get('change-pin')!, version: procedures.get('change-pin')!.version + 1 })

    const replies = await say(client, 'no')

    expect(replies[0]).toBe('These steps were updated since we started, so let me start them again from the top.')
    expect(replies[1]).toBe('You know your current PIN, so you can change it yourself.') // the earlier answer is kept as a fact
    expect(replies[2]).toMatch(/^Step 2 of 2: Open ActivClient/)
  })
})

/** Tries every answer at every question, so each path of each procedure is walked to its end. */
async function walkAllPaths(procedureId: string) {
  const finished: { answers: string[]; outcome: ProcedureOutcome; texts: string[] }[] = []
  const queue: string[][] = [[]]
  while (queue.length > 0) {
    const answers = queue.shift()!
    const client = procedureClient(procedureId)
    const texts: string[] = []
    let last = await sayActivities(client, 'start')
    texts.push(...last.map((a) => a.text ?? ''))
    for (const answer of answers) {
      last = await sayActivities(client, answer)
      texts.push(...last.map((a) => a.text ?? ''))
    }
    if (client.dialogTurnResult.status === DialogTurnStatus.complete) {
      finished.push({ answers, outcome: result(client), texts })
    } else {
      expect(answers.length, `${procedureId}: path ${answers.join(' > ')} never ends`).toBeLessThan(12)
      for (const label of buttons(last)) queue.push([...answers, label])
    }
  }
  return finished
}

describe('every procedure, every path', () => {
  it.each([...procedures.keys()])('%s: every path ends, every outcome and step is reachable', async (procedureId) => {
    const procedure = procedures.get(procedureId)!

    const paths = await walkAllPaths(procedureId)

    const reached = new Set(paths.map((p) => ('outcomeId' in p.outcome ? p.outcome.outcomeId : p.outcome.outcome)))
    for (const id of Object.keys(procedure.outcomes)) expect(reached, `outcome ${id} of ${procedureId}`).toContain(id)
    if (procedure.steps.some((s) => s.check)) expect(reached).toContain('resolved')
    const allText = paths.flatMap((p) => p.texts).join('\n')
    for (const step of procedure.steps) expect(allText, `step ${step.id} of ${procedureId}`).toContain(step.say)
    for (const p of paths) {
      expect(['resolved', 'referred', 'answered', 'handoff', 'exhausted']).toContain(p.outcome.outcome)
      expect(p.outcome.trail.length).toBeGreaterThan(0)
    }
  })
})
