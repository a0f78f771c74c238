// The console's desk tools (issue 13): canned replies, transfer to another agent or the queue, closing with a reason,
// a case's closing reason and ratings, and the alert when a colleague passes a case to this agent. console.js calls
// start() once signed in, caseShown() whenever it shows a case, and changed() for every live "changed" event.
;(function () {
  'use strict'
  var $ = function (id) { return document.getElementById(id) }
  var desk = null // what console.js shares: api, el, me, current case, openCase, act, alert
  var replies = []

  var REASONS = [
    ['resolved', 'Resolved'],
    ['referred-id-card-office', 'Referred to the ID card office'],
    ['referred-local-it', 'Referred to local IT'],
    ['referred-branch-of-service', 'Referred to their branch of service'],
    ['no-response', 'No response from the user'],
    ['other', 'Other'],
  ]
  var REASON_TEXT = {}
  REASONS.forEach(function (r) { REASON_TEXT[r[0]] = r[1] })

  function showForm(id, button, on) {
    $(id).hidden = !on
    $(button).setAttribute('aria-expanded', String(on))
  }

  function hideForms() {
    showForm('transfer-form', 'transfer', false)
    showForm('close-form', 'close', false)
  }

  // --- Canned replies: picked from a list, inserted into the reply box (appended if something is written already).
  function loadCanned() {
    return desk.api('GET', '/canned-replies').then(function (data) {
      replies = data.replies
      var select = $('canned')
      select.textContent = ''
      select.appendChild(new Option('Choose a canned reply…', ''))
      replies.forEach(function (r) { select.appendChild(new Option(r.title, r.id)) })
    }).catch(function () {})
  }

  function insertCanned() {
    var id = $('canned').value
    var reply = replies.filter(function (r) { return r.id === id })[0]
    var box = $('reply-text')
    if (!reply) return $('canned').focus()
    box.value = box.value.trim() ? box.value.replace(/\s+$/, '') + '\n\n' + reply.text : reply.text
    box.focus()
    box.setSelectionRange(box.value.length, box.value.length)
    box.dispatchEvent(new Event('input')) // the user sees "typing", as when the agent types
  }

  // --- Transfer: to a colleague signed in now, or back to the queue.
  function openTransfer() {
    if (!$('transfer-form').hidden) return showForm('transfer-form', 'transfer', false)
    showForm('close-form', 'close', false)
    return desk.api('GET', '/agents').then(function (data) {
      var select = $('transfer-to')
      select.textContent = ''
      data.agents.forEach(function (a) { select.appendChild(new Option(a.name, a.username)) })
      select.appendChild(new Option('The queue (the next free agent)', ''))
      $('transfer-hint').textContent = data.agents.length
        ? 'They see the case arrive; the user is told who has their chat now.'
        : 'No other agent is signed in now: you can pass the case back to the queue.'
      showForm('transfer-form', 'transfer', true)
      select.focus()
    }).catch(function (err) { $('case-error').textContent = err.message })
  }

  function submitTransfer(event) {
    event.preventDefault()
    var to = $('transfer-to').value || null
    hideForms()
    desk.act('transfer', { to: to }).then(function () { $('transfer').focus() })
  }

  // --- Close with a reason.
  function buildReasons() {
    var box = $('close-reasons')
    box.textContent = ''
    REASONS.forEach(function (r, i) {
      var label = desk.el('label')
      var input = document.createElement('input')
      input.type = 'radio'
      input.name = 'closing-reason'
      input.value = r[0]
      input.required = true
      if (i === 0) input.checked = true
      label.appendChild(input)
      label.appendChild(document.createTextNode(' ' + r[1]))
      box.appendChild(label)
    })
  }

  function openClose() {
    if (!$('close-form').hidden) return showForm('close-form', 'close', false)
    showForm('transfer-form', 'transfer', false)
    showForm('close-form', 'close', true)
    $('close-form').querySelector('input:checked').focus()
  }

  function submitClose(event) {
    event.preventDefault()
    var chosen = $('close-form').querySelector('input[name="closing-reason"]:checked')
    hideForms()
    desk.act('close', { reason: chosen ? chosen.value : 'other' }).then(function () { $('close').focus() })
  }

  // --- What a shown case adds: transfer only for the agent holding it; why it was closed; the user's ratings.
  function caseShown(c, mine, packet) {
    $('transfer').disabled = !mine
    if (!mine) showForm('transfer-form', 'transfer', false)
    // Any case can be filed as closed (also one sent back to the bot), except another agent's live chat.
    $('close').disabled = c.status === 'closed' || (c.status === 'claimed' && !mine)
    if (c.closingReason) addFact(packet, 'Closed because', REASON_TEXT[c.closingReason] || c.closingReason)
    if (c.status !== 'closed') return
    desk.api('GET', '/cases/' + encodeURIComponent(c.id) + '/ratings').then(function (data) {
      if (desk.current() !== c.id) return
      data.ratings.forEach(function (r) {
        addFact(packet, 'User’s rating', r.score + ' of 5' + (r.comment ? ': “' + r.comment + '”' : ''))
      })
    }).catch(function () {})
  }

  function addFact(packet, name, value) {
    packet.appendChild(desk.el('dt', name))
    packet.appendChild(desk.el('dd', value))
  }

  // --- A colleague passed a case to this agent: say so (live region), and chime / notify as for new cases.
  function changed(data) {
    var transfer = data.transfer
    if (!transfer || transfer.to !== desk.me().username) return
    var text = transfer.fromName + ' passed case ' + data.caseId + ' to you.'
    var notice = $('desk-notice')
    notice.textContent = ''
    notice.appendChild(document.createTextNode(text + ' '))
    var open = desk.el('button', 'Open it')
    open.type = 'button'
    open.addEventListener('click', function () {
      notice.hidden = true
      desk.openCase(data.caseId).then(function () { $('reply-text').focus() })
    })
    notice.appendChild(open)
    notice.hidden = false
    desk.alert('Case passed to you', text, data.caseId)
  }

  function start(shared) {
    if (desk) return
    desk = shared
    buildReasons()
    loadCanned()
    $('insert-canned').addEventListener('click', insertCanned)
    $('transfer').addEventListener('click', openTransfer)
    $('close').addEventListener('click', openClose)
    $('transfer-form').addEventListener('submit', submitTransfer)
    $('close-form').addEventListener('submit', submitClose)
    ;['transfer-form', 'close-form'].forEach(function (id) {
      $(id).querySelector('[data-cancel]').addEventListener('click', function () {
        hideForms()
        $(id === 'transfer-form' ? 'transfer' : 'close').focus()
      })
      // Escape closes the form, as a menu would.
      $(id).addEventListener('keydown', function (event) {
        if (event.key !== 'Escape') return
        hideForms()
        $(id === 'transfer-form' ? 'transfer' : 'close').focus()
      })
    })
  }

  window.helpDeskTools = { start: start, caseShown: caseShown, changed: changed, hideForms: hideForms }
})()
