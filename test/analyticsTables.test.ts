import { describe, expect, it } from 'vitest'
import { computeReport } from '../src/core/analytics.js'
import { reportTables, toCsv } from '../src/analytics/tables.js'

describe('the Analytics view tables and their CSV', () => {
  it('quotes commas and quotes, and keeps a cell a spreadsheet would run as a formula as text', () => {
    const csv = toCsv({ id: 'procedures', title: 't', columns: ['Name', 'Count'], rows: [['a, b', 1], ['say "hi"', 2], ['=HYPERLINK("x")', 3], ['-', 0], ['@sum', 4]] })
    expect(csv).toBe('Name,Count\r\n"a, b",1\r\n"say ""hi""",2\r\n"\'=HYPERLINK(""x"")",3\r\n-,0\r\n\'@sum,4\r\n')
  })

  it('says "-" for shares and waits of nothing, and lists no funnel rows when no procedure started', () => {
    const tables = Object.fromEntries(reportTables(computeReport([], 0, 1000, 1000)).map((t) => [t.id, t.rows]))
    expect(tables.containment!.at(-1)).toEqual(['All conversations', 0, '-'])
    expect(tables.procedures).toEqual([])
    expect(tables.recognition).toEqual([['Understood', 0, '-'], ['Clarified', 0, '-'], ['Out of scope', 0, '-']])
    expect(tables.handoff).toEqual([
      ['Handoff rate', '-'],
      ['Queued', 0],
      ['Claimed by an agent', 0],
      ['Closed', 0],
      ['Median wait for an agent (s)', '-'],
      ['p90 wait for an agent (s)', '-'],
      ['Cases with an agent reply', 0],
      ['Median time to first agent reply (s)', '-'],
      ['p90 time to first agent reply (s)', '-'],
    ])
    expect(tables.closing).toEqual([])
    expect(tables.ratings).toEqual([['The bot', 0, '-'], ['An agent', 0, '-']])
    // The period's one day, with nothing in it.
    expect(tables.trend).toEqual([['1970-01-01', 0, 0, 0, 0, 0, 0, 0, '-']])
  })
})
