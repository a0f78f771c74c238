// The console's Analytics view (leads): the report's figures as charts (Chart.js, served by this server) and, for
// screen readers and spreadsheets, the same figures as tables and CSV files. Figures come from the server only.
;(function () {
  'use strict'
  var $ = function (id) { return document.getElementById(id) }
  var api = null // the console's: sends the session, and shows the sign-in form on a 401
  var el = null
  var charts = [] // drawn charts, destroyed before the next period's
  var loading = 0 // the latest request wins when the period changes quickly

  var COLOURS = {
    confirmed: '#1a7f37', assumed: '#7cc48d', referred: '#0b5ac8', handedOff: '#8a5300', abandoned: '#b50909', other: '#8a8a8a',
    reached: '#112e51', // also all conversations
    fixed: '#1a7f37', gaveUp: '#b50909', understood: '#1a7f37', clarified: '#0b5ac8', outOfScope: '#8a5300',
    median: '#0b5ac8', p90: '#112e51',
  }
  var DATES = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

  // A chart on a canvas that names itself for screen readers and points to the table with its figures.
  function canvasFor(panel, label, tableId) {
    var box = el('div', null, 'chart')
    var canvas = el('canvas')
    canvas.setAttribute('role', 'img')
    canvas.setAttribute('aria-label', label + ' (chart; the figures are in the table below)')
    canvas.dataset.table = tableId
    box.appendChild(canvas)
    panel.appendChild(box)
    return canvas
  }

  function draw(canvas, type, labels, datasets, options) {
    var Chart = window.Chart
    charts.push(new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: Object.assign({
        animation: false, // figures, not motion: and a screenshot shows the chart as it is
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      }, options || {}),
    }))
  }

  function tableFor(table) {
    var node = el('table', null, 'figures')
    node.id = 'table-' + table.id
    node.appendChild(el('caption', table.title))
    var head = node.appendChild(el('thead')).appendChild(el('tr'))
    var numeric = function (value) { return typeof value === 'number' || /^(\d+\.\d%?|-)$/.test(value) } // counts, shares, means, "none"
    table.columns.forEach(function (c, i) {
      var right = i > 0 && table.rows.length > 0 && numeric(table.rows[0][i])
      head.appendChild(el('th', c, right ? 'number' : null)).setAttribute('scope', 'col')
    })
    var body = node.appendChild(el('tbody'))
    if (table.rows.length === 0) {
      var empty = body.appendChild(el('tr')).appendChild(el('td', 'Nothing in this period.', 'muted'))
      empty.colSpan = table.columns.length
    }
    table.rows.forEach(function (row) {
      var tr = body.appendChild(el('tr'))
      row.forEach(function (value, i) {
        var cell = tr.appendChild(el(i === 0 ? 'th' : 'td', value, numeric(value) ? 'number' : null))
        if (i === 0) cell.setAttribute('scope', 'row')
      })
    })
    return node
  }

  function csvLink(table, period) {
    var link = el('a', 'Download “' + table.title + '” as CSV', 'csv')
    link.href = '/agent/api/analytics/csv/' + table.id + '?period=' + encodeURIComponent(period)
    link.setAttribute('download', '')
    return link
  }

  var CHARTS = {
    containment: function (panel, report) {
      var c = report.containment
      var rows = [['Solved, confirmed', c.confirmed, 'confirmed'], ['Solved, assumed', c.assumed, 'assumed'], ['Referred', c.referred, 'referred'],
        ['Handed off', c.handedOff, 'handedOff'], ['Abandoned', c.abandoned, 'abandoned'], ['Other or still going', c.other, 'other']]
      draw(canvasFor(panel, 'Containment: conversations by outcome', 'containment'), 'bar', rows.map(function (r) { return r[0] }), [{
        label: 'Conversations',
        data: rows.map(function (r) { return r[1] }),
        backgroundColor: rows.map(function (r) { return COLOURS[r[2]] }),
      }], { indexAxis: 'y' })
    },
    procedures: function (panel, report, titles) {
      if (report.procedures.length === 0) panel.appendChild(el('p', 'No procedure was started in this period.', 'muted'))
      report.procedures.forEach(function (p) {
        var title = titles[p.procedureId] || p.procedureId
        panel.appendChild(el('h4', title + ' (' + p.procedureId + '): started ' + p.started))
        draw(canvasFor(panel, 'Funnel of ' + title + ': reached, fixed there and gave up there, per step', 'procedures'), 'bar',
          p.steps.map(function (s) { return 'Step ' + s.step + ' (' + s.stepId + ')' }),
          [['Reached', 'reached'], ['Fixed there', 'fixed'], ['Gave up there', 'gaveUp']].map(function (d) {
            return { label: d[0], data: p.steps.map(function (s) { return s[d[1]] }), backgroundColor: COLOURS[d[1]] }
          }))
      })
    },
    recognition: function (panel, report) {
      var g = report.recognition
      draw(canvasFor(panel, 'Recognition: understood, clarified, out of scope', 'recognition'), 'bar', ['Understood', 'Clarified', 'Out of scope'], [{
        label: 'Messages',
        data: [g.understood, g.clarified, g.outOfScope],
        backgroundColor: [COLOURS.understood, COLOURS.clarified, COLOURS.outOfScope],
      }])
    },
    trend: function (panel, report) {
      var days = report.trend.map(function (t) { return t.day })
      var series = [['Solved, confirmed', 'confirmed'], ['Solved, assumed', 'assumed'], ['Referred', 'referred'], ['Handed off', 'handedOff'],
        ['Abandoned', 'abandoned'], ['Other or still going', 'other']]
      draw(canvasFor(panel, 'Containment per day: conversations by outcome, stacked', 'trend'), 'bar', days, series.map(function (d) {
        return { label: d[0], data: report.trend.map(function (t) { return t[d[1]] }), backgroundColor: COLOURS[d[1]] }
      }), { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } })
    },
    closing: function (panel, report, titles, table) {
      var reasons = report.handoff.closedReasons
      if (reasons.length === 0) return void panel.appendChild(el('p', 'No handoff ended in this period.', 'muted'))
      draw(canvasFor(panel, 'Handoff closing reasons: cases per reason', 'closing'), 'bar', table.rows.map(function (r) { return r[0] }), [{
        label: 'Cases',
        data: reasons.map(function (r) { return r.cases }),
        backgroundColor: COLOURS.handedOff,
      }], { indexAxis: 'y' })
    },
    ratings: function (panel, report) {
      var r = report.ratings
      if (r.every(function (g) { return g.count === 0 })) return void panel.appendChild(el('p', 'Nobody rated a conversation in this period.', 'muted'))
      draw(canvasFor(panel, 'Ratings: mean score after the bot and after an agent', 'ratings'), 'bar', ['After the bot', 'After an agent'], [{
        label: 'Mean score',
        data: r.map(function (g) { return g.meanScore === undefined ? 0 : g.meanScore }),
        backgroundColor: [COLOURS.confirmed, COLOURS.referred],
      }], { indexAxis: 'y', scales: { x: { beginAtZero: true }, y: {} } })
    },
    handoff: function (panel, report) {
      var h = report.handoff
      draw(canvasFor(panel, 'Handoff: conversations, handed off, claimed by an agent, closed', 'handoff'), 'bar',
        ['Conversations', 'Handed off', 'Claimed', 'Closed'], [{
          label: 'Conversations',
          data: [report.conversations, h.queued, h.claimed, h.closed],
          backgroundColor: [COLOURS.reached, COLOURS.handedOff, COLOURS.referred, COLOURS.fixed],
        }], { indexAxis: 'y' })
      if (h.waitMedianSeconds === undefined) return void panel.appendChild(el('p', 'No agent claimed a handoff in this period: no wait times.', 'muted'))
      var seconds = function (s) { return s === undefined ? 0 : s }
      draw(canvasFor(panel, 'Handoff: wait for an agent and time to the first agent reply, in seconds, median and p90', 'handoff'), 'bar',
        ['Wait for an agent (s)', 'First agent reply (s)'], [
          { label: 'Median', data: [h.waitMedianSeconds, seconds(h.firstReplyMedianSeconds)], backgroundColor: COLOURS.median },
          { label: 'p90', data: [h.waitP90Seconds, seconds(h.firstReplyP90Seconds)], backgroundColor: COLOURS.p90 },
        ], { indexAxis: 'y' })
    },
  }

  function render(data) {
    charts.forEach(function (chart) { chart.destroy() })
    charts = []
    var panels = $('analytics-panels')
    panels.textContent = ''
    $('analytics-range').textContent = DATES.format(new Date(data.from)) + ' – ' + DATES.format(new Date(data.to)) + ' · ' +
      data.report.conversations + ' conversation' + (data.report.conversations === 1 ? '' : 's')
    data.tables.forEach(function (table) {
      var panel = el('section', null, 'panel panel-' + table.id)
      panel.setAttribute('aria-labelledby', 'panel-' + table.id)
      var heading = panel.appendChild(el('h3', table.title))
      heading.id = 'panel-' + table.id
      if (window.Chart) CHARTS[table.id](panel, data.report, data.titles, table)
      else panel.appendChild(el('p', 'The charts could not be loaded; the figures are in the table.', 'error'))
      panel.appendChild(tableFor(table))
      panel.appendChild(csvLink(table, data.period))
      panels.appendChild(panel)
    })
    // Drawn: the browser test (and anyone curious) can wait for this.
    $('analytics').dataset.period = data.period
  }

  // The review list: the top out-of-scope and clarified messages, each with the intent to propose it for.
  var SOURCES = { 'out-of-scope': 'Out of scope', clarified: 'Clarified (asked which)' }
  var intents = []
  function titleOf(intentId) {
    var found = intents.filter(function (i) { return i.id === intentId })[0]
    return found ? found.title : intentId
  }

  function renderSuggestions(suggestions) {
    var list = $('suggestions')
    list.textContent = ''
    if (suggestions.length === 0) list.appendChild(el('li', 'None yet.', 'muted'))
    suggestions.forEach(function (s) {
      var item = list.appendChild(el('li', '“' + s.text + '” → ' + titleOf(s.intentId) + ' (' + s.intentId + '), proposed by ' + s.suggestedBy))
      var remove = item.appendChild(el('button', 'Delete'))
      remove.type = 'button'
      remove.setAttribute('aria-label', 'Delete the proposal “' + s.text + '”')
      remove.addEventListener('click', function () {
        api('POST', '/analytics/suggestions/' + s.id + '/delete', {}).then(loadReview).catch(showReviewError)
      })
    })
  }

  function showReviewError(err) { $('review-error').textContent = err.message }

  function reviewRow(item) {
    var tr = el('tr')
    tr.appendChild(el('td', SOURCES[item.source]))
    tr.appendChild(el('td', item.text, 'message'))
    tr.appendChild(el('td', item.conversations, 'number'))
    var choose = el('select')
    choose.setAttribute('aria-label', 'Intent to teach with “' + item.text + '”')
    choose.appendChild(el('option', 'Choose an intent…')).value = ''
    intents.forEach(function (i) {
      var option = choose.appendChild(el('option', i.title + ' (' + i.id + ')'))
      option.value = i.id
    })
    if (item.intentId !== 'none') choose.value = item.intentId // the bot's closest guess, to confirm or change
    tr.appendChild(el('td')).appendChild(choose)
    var propose = el('button', 'Propose')
    propose.type = 'button'
    propose.setAttribute('aria-label', 'Propose “' + item.text + '” as a training utterance')
    propose.addEventListener('click', function () {
      $('review-error').textContent = ''
      if (!choose.value) return void showReviewError(new Error('Choose the intent this message should teach first.'))
      api('POST', '/analytics/suggestions', { text: item.text, intentId: choose.value, source: item.source }).then(loadReview).catch(showReviewError)
    })
    tr.appendChild(el('td')).appendChild(propose)
    return tr
  }

  function loadReview() {
    var period = $('period').value
    delete $('review').dataset.period
    return api('GET', '/analytics/review?period=' + encodeURIComponent(period)).then(function (data) {
      intents = data.intents
      var box = $('review-list')
      box.textContent = ''
      if (data.items.length === 0) box.appendChild(el('p', 'Nothing to review in this period.', 'muted'))
      else {
        var table = box.appendChild(el('table', null, 'figures'))
        table.id = 'table-review'
        table.appendChild(el('caption', 'Top out-of-scope and clarified messages'))
        var head = table.appendChild(el('thead')).appendChild(el('tr'))
        ;['What the bot did', 'Message', 'Conversations', 'Intent', 'Action'].forEach(function (c, i) {
          head.appendChild(el('th', c, i === 2 ? 'number' : null)).setAttribute('scope', 'col')
        })
        var body = table.appendChild(el('tbody'))
        data.items.forEach(function (item) { body.appendChild(reviewRow(item)) })
      }
      renderSuggestions(data.suggestions)
      $('review').dataset.period = period
    }).catch(showReviewError)
  }

  function load() {
    var period = $('period').value
    var mine = ++loading
    $('analytics-error').textContent = ''
    $('analytics').setAttribute('aria-busy', 'true')
    delete $('analytics').dataset.period
    loadReview()
    api('GET', '/analytics?period=' + encodeURIComponent(period))
      .then(function (data) { if (mine === loading) render(data) })
      .catch(function (err) { if (mine === loading) $('analytics-error').textContent = err.message })
      .then(function () { if (mine === loading) $('analytics').removeAttribute('aria-busy') })
  }

  $('period').addEventListener('change', load)
  // Shown by the console (console.js), which lends its API call and element maker.
  window.helpDeskAnalytics = {
    show: function (kit) {
      api = kit.api
      el = kit.el
      load()
    },
  }
})()
