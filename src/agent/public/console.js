// The agent console. Everything a user typed is shown with textContent: never parsed as HTML.
;(function () {
  'use strict'
  var $ = function (id) { return document.getElementById(id) }
  var TITLE = 'Agent console – CAC Help Desk'
  var SOUND_KEY = 'cac-helpdesk.agent.sound'
  var selected = null
  var current = null // the open case, as the API gave it
  var me = null
  var queue = []
  var known = null // ids of cases already seen, so only new ones alert
  var typingTimer = null
  var lastTypingSent = 0
  var audio = null
  var shownCase = null // the case whose answer result is on screen

  var CHANNELS = { webchat: 'the help page', msteams: 'Microsoft Teams', emulator: 'the Bot Framework Emulator' }

  // An HTTP failure as one sentence: the server's own when it gave one, else what the status means.
  function failure(status, data) {
    if (data && typeof data.error === 'string') return data.error
    if (status === 401) return 'You are not signed in, or your session has ended: please sign in.'
    if (status === 404) return 'That is no longer here: reload the page.'
    if (status === 429) return 'Too many requests: wait a minute and try again.'
    if (status >= 500) return 'Something went wrong on the server. Try again; if it keeps happening, tell whoever runs the help desk.'
    return 'That did not work (HTTP ' + status + '). Reload the page and try again.'
  }

  function api(method, path, body) {
    return fetch('/agent/api' + path, {
      method: method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    }).then(
      function (response) {
        return response.json().catch(function () { return null }).then(function (data) {
          if (response.status === 401 && path !== '/login') showLogin()
          if (!response.ok) throw new Error(failure(response.status, data))
          return data
        })
      },
      function () { throw new Error('The server could not be reached: check the connection, then try again.') },
    )
  }

  function el(tag, text, className) {
    var node = document.createElement(tag)
    if (text !== undefined && text !== null) node.textContent = String(text)
    if (className) node.className = className
    return node
  }

  // Times come as ISO (UTC); agents read them in their own time zone.
  var sameDay = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })
  var otherDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })
  var full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' })
  function localTime(iso) {
    var date = new Date(iso)
    if (isNaN(date.getTime())) return ''
    return (date.toDateString() === new Date().toDateString() ? sameDay : otherDay).format(date)
  }
  function timeElement(iso) {
    var node = el('time', localTime(iso))
    node.dateTime = iso
    node.title = full.format(new Date(iso))
    return node
  }
  function since(iso) {
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
    if (seconds < 60) return 'less than a minute'
    var minutes = Math.floor(seconds / 60)
    if (minutes < 60) return minutes + ' min'
    var hours = Math.floor(minutes / 60)
    return hours + ' h ' + (minutes % 60) + ' min'
  }

  function statusText(c) {
    if (c.status === 'claimed') return c.agentId === (me && me.username) ? 'With you' : 'With ' + (c.agentName || 'an agent')
    return c.statusLabel
  }
  // A message the user left: answered in the console, never joined as a live chat.
  function isMessage(c) { return c.status === 'message-left' || c.status === 'answered' }

  function showLogin() {
    $('login').hidden = false
    $('desk').hidden = true
    $('analytics').hidden = true
    $('views').hidden = true
    $('logout').hidden = true
    $('who').textContent = ''
    document.title = TITLE
    fetch('/agent/api/sign-in', { credentials: 'same-origin' })
      .then(function (r) { return r.json() })
      .then(function (data) {
        $('login-setup').hidden = data.accountsConfigured
        $('login-setup').textContent = data.accountsConfigured ? '' : data.help
      })
      .catch(function () {})
  }

  // A list of cases to pick from (the queue, the messages), each a button that opens the case.
  function renderCaseList(list, empty, cases) {
    list.textContent = ''
    empty.hidden = cases.length > 0
    cases.forEach(function (c) {
      var item = el('li')
      var button = el('button')
      button.type = 'button'
      button.dataset.caseId = c.id
      button.setAttribute('aria-current', String(c.id === selected))
      button.appendChild(el('strong', c.problem || c.reasonText))
      var waited = c.status === 'waiting' ? 'waiting ' + since(c.createdAt) : 'since ' + localTime(c.createdAt)
      button.appendChild(el('div', statusText(c) + ' · ' + waited + ' · ' + c.id))
      if (c.question) button.appendChild(el('div', '“' + c.question + '”', 'muted'))
      if (c.leftMessage) button.appendChild(el('div', 'Message left: ' + c.leftMessage))
      if (c.contact) button.appendChild(el('div', c.contact, 'muted'))
      button.addEventListener('click', function () { openCase(c.id) })
      item.appendChild(button)
      list.appendChild(item)
    })
  }

  function renderQueue() {
    renderCaseList($('queue'), $('queue-empty'), queue)
    var waiting = queue.filter(function (c) { return c.status === 'waiting' }).length
    document.title = waiting > 0 ? '(' + waiting + ') ' + TITLE : TITLE
  }

  function renderRecent(conversations) {
    var list = $('recent')
    list.textContent = ''
    conversations.forEach(function (c) {
      var item = el('li')
      var link = el('a', (CHANNELS[c.channelId] || c.channelId) + ' · ' + localTime(c.last) + ' · ' + c.activities + ' activities')
      link.href = '/agent/api/conversations/' + encodeURIComponent(c.channelId) + '/' + encodeURIComponent(c.conversationId) + '/transcript'
      link.setAttribute('download', '')
      item.appendChild(link)
      list.appendChild(item)
    })
  }

  // A case nobody had seen: the title counts it; sound and desktop notification if the agent turned them on.
  function alertNewCases(cases) {
    var fresh = cases.filter(function (c) { return c.status === 'waiting' && known && !known[c.id] })
    known = known || {}
    cases.forEach(function (c) { known[c.id] = true })
    if (fresh.length === 0) return
    fresh.forEach(function (c, i) {
      alertAgent('New case: ' + (c.problem || c.reasonText), (c.question ? '“' + c.question + '” · ' : '') + c.id, c.id, i === 0)
    })
  }

  // The agent's chosen alerts for a case that needs them: a chime (once per batch) and a desktop notification.
  function alertAgent(title, body, caseId, sound) {
    if (sound !== false && $('sound').checked) chime()
    if (window.Notification && Notification.permission === 'granted') {
      var note = new Notification(title, { body: body, tag: caseId })
      note.onclick = function () { window.focus(); openCase(caseId) }
    }
  }

  // Two short tones, made here with Web Audio (no sound file).
  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext
    if (!Context) return
    audio = audio || new Context()
    var start = audio.currentTime
    ;[660, 880].forEach(function (frequency, i) {
      var tone = audio.createOscillator()
      var gain = audio.createGain()
      tone.frequency.value = frequency
      gain.gain.setValueAtTime(0.0001, start + i * 0.18)
      gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.18 + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.18 + 0.16)
      tone.connect(gain).connect(audio.destination)
      tone.start(start + i * 0.18)
      tone.stop(start + i * 0.18 + 0.17)
    })
    document.body.dataset.chimed = String(Number(document.body.dataset.chimed || 0) + 1)
  }

  function refreshQueue() {
    api('GET', '/conversations').then(function (data) { renderRecent(data.conversations) }).catch(function () {})
    api('GET', '/messages').then(function (data) { renderCaseList($('messages'), $('messages-empty'), data.cases) }).catch(function () {})
    return api('GET', '/queue').then(function (data) {
      queue = data.cases
      alertNewCases(queue)
      renderQueue()
    })
  }

  // The Cases view: every case, searched by id, words, status, agent and the days it was opened (the agent's own days).
  function searchCases() {
    var params = new URLSearchParams()
    var q = $('search-q').value.trim()
    if (q) params.set('q', q)
    if ($('search-status').value) params.set('status', $('search-status').value)
    if ($('search-agent').value) params.set('agent', $('search-agent').value)
    if ($('search-from').value) params.set('from', new Date($('search-from').value + 'T00:00:00').toISOString())
    if ($('search-to').value) {
      var to = new Date($('search-to').value + 'T00:00:00')
      to.setDate(to.getDate() + 1)
      params.set('to', to.toISOString())
    }
    $('search-error').textContent = ''
    return api('GET', '/cases?' + params.toString())
      .then(function (data) { renderResults(data.cases, data.more) })
      .catch(function (err) { $('search-error').textContent = err.message })
  }

  function renderResults(cases, more) {
    var body = $('results-body')
    body.textContent = ''
    $('results').hidden = cases.length === 0
    $('search-summary').textContent =
      cases.length === 0 ? 'No case matches.' : cases.length + ' case' + (cases.length === 1 ? '' : 's') + (more ? ', the newest; narrow the search to see older ones.' : '.')
    cases.forEach(function (c) {
      var row = el('tr')
      var first = el('td')
      var open = el('button', c.id, 'link')
      open.type = 'button'
      open.dataset.caseId = c.id
      open.addEventListener('click', function () { openCase(c.id) })
      first.appendChild(open)
      row.appendChild(first)
      var opened = el('td')
      opened.appendChild(timeElement(c.createdAt))
      row.appendChild(opened)
      row.appendChild(el('td', statusText(c)))
      var problem = el('td', c.problem || c.reasonText)
      if (c.errorMessages && c.errorMessages.length) problem.appendChild(el('div', c.errorMessages.join(', '), 'muted'))
      row.appendChild(problem)
      row.appendChild(el('td', c.agentName || '–'))
      body.appendChild(row)
    })
  }

  function renderTranscriptLine(activity) {
    var role = activity.from && activity.from.role
    var who = role === 'user' ? 'User' : role === 'agent' ? activity.from.name || 'Agent' : 'Bot'
    var line = el('li', who + ': ' + (activity.text || ''), role === 'user' ? 'user' : role === 'agent' ? 'agent' : 'bot')
    if (activity.timestamp) line.appendChild(timeElement(activity.timestamp))
    $('transcript').appendChild(line)
    line.scrollIntoView({ block: 'nearest' })
    if (role === 'user') showTyping(false)
  }

  function showTyping(on) {
    clearTimeout(typingTimer)
    $('typing').textContent = on ? 'The user is typing…' : ''
    if (on) typingTimer = setTimeout(function () { showTyping(false) }, 6000)
  }

  function mine(c) { return c && c.status === 'claimed' && c.agentId === me.username }

  function describeSetup(environment) {
    var named = environment.named.browsers.concat(environment.named.systems).join(', ')
    var page = environment.page ? [environment.page.browser, environment.page.os].filter(Boolean).join(' on ') : ''
    return { named: named, page: page }
  }

  function openCase(id) {
    if (id !== selected) {
      showTyping(false)
      window.helpDeskTools.hideForms()
    }
    selected = id
    return api('GET', '/cases/' + encodeURIComponent(id)).then(function (data) {
      var c = (current = data.case)
      $('case').hidden = false
      $('case-heading').textContent = c.problem || c.reasonText
      $('case-status').textContent = 'Case ' + c.id + ' · ' + statusText(c) + ' · on ' + (CHANNELS[c.channelId] || c.channelId)
      $('claim').disabled = mine(c)
      $('give-back').disabled = !mine(c)
      $('claim').hidden = $('give-back').hidden = isMessage(c)
      $('reply').hidden = !mine(c)
      $('answer').hidden = !isMessage(c)
      if (id !== shownCase) $('answer-result').textContent = ''
      shownCase = id
      $('export').href = '/agent/api/cases/' + encodeURIComponent(c.id) + '/transcript'
      var packet = $('packet')
      packet.textContent = ''
      var p = c.packet
      var setup = describeSetup(c.environment)
      ;[
        ['Summary', c.summary],
        ['Asked', p.question],
        ['Problem', c.problem],
        ['Error messages', (p.errorMessages || []).join(', ')],
        ['Browser / OS the user named', setup.named || 'not said'],
        ['Help page opened in', setup.page && setup.page + ' (the device showing the chat, maybe not the one with the problem)'],
        ['Reason', c.reasonText],
        ['Requested', localTime(p.requestedAt) + ' (' + since(p.requestedAt) + ' ago)'],
        ['Message left', c.leftMessage],
        ['Contact', c.contact],
      ].forEach(function (pair) {
        if (!pair[1]) return
        packet.appendChild(el('dt', pair[0]))
        packet.appendChild(el('dd', pair[1]))
      })
      window.helpDeskTools.caseShown(c, mine(c), packet)
      var trail = $('trail')
      trail.textContent = ''
      if (!(p.trail || []).length) trail.appendChild(el('li', 'None: the bot had not started any steps.', 'muted'))
      ;(p.trail || []).forEach(function (t) {
        var item = el('li', t.procedureTitle + (t.question ? ': ' + t.question : '') + (t.answer ? ' → ' + t.answer : ''))
        item.appendChild(timeElement(t.at))
        trail.appendChild(item)
      })
      $('transcript').textContent = ''
      data.transcript.forEach(renderTranscriptLine)
      var history = $('history')
      history.textContent = ''
      data.history.forEach(function (h) {
        var item = el('li', h.text, h.kind === 'note' ? 'note' : '')
        item.appendChild(timeElement(h.at))
        history.appendChild(item)
      })
      return refreshQueue()
    })
  }

  function act(action, body) {
    $('case-error').textContent = ''
    return api('POST', '/cases/' + encodeURIComponent(selected) + '/' + action, body || {})
      .then(function () { return openCase(selected) })
      .catch(function (err) {
        $('case-error').textContent = err.message
        return openCase(selected).catch(function () {})
      })
  }

  // Posts the text of a case's textarea (an answer, a note), then shows the case again; `done` gets the reply.
  function postText(action, textarea, done) {
    var text = $(textarea).value.trim()
    if (!text) return
    $('case-error').textContent = ''
    api('POST', '/cases/' + encodeURIComponent(selected) + '/' + action, { text: text })
      .then(function (data) {
        $(textarea).value = ''
        if (done) done(data)
        return openCase(selected)
      })
      .catch(function (err) { $('case-error').textContent = err.message })
  }
  function answer() { postText('answer', 'answer-text', function (data) { $('answer-result').textContent = data.delivery }) }
  function addNote() { postText('notes', 'note-text') }

  function send() {
    var text = $('reply-text').value.trim()
    if (!text) return
    $('case-error').textContent = ''
    api('POST', '/cases/' + encodeURIComponent(selected) + '/messages', { text: text })
      .then(function () { $('reply-text').value = '' })
      .catch(function (err) { $('case-error').textContent = err.message })
  }

  function startDesk(agent) {
    me = agent
    $('login').hidden = true
    $('views').hidden = false
    $('nav-analytics').hidden = agent.role !== 'lead'
    ;(agent.agents || []).forEach(function (a) {
      var option = el('option', a.name)
      option.value = a.username
      $('search-agent').appendChild(option)
    })
    showView()
    $('logout').hidden = false
    $('who').textContent = 'Signed in as ' + agent.name
    try { $('sound').checked = localStorage.getItem(SOUND_KEY) === 'on' } catch (e) { /* private mode: off */ }
    showNotificationState()
    refreshQueue()
    window.helpDeskTools.start({
      api: api,
      el: el,
      me: function () { return me },
      current: function () { return selected },
      openCase: openCase,
      act: act,
      alert: alertAgent,
    })
    var events = new EventSource('/agent/api/events')
    events.addEventListener('changed', function (event) {
      var data = JSON.parse(event.data)
      window.helpDeskTools.changed(data)
      refreshQueue()
      if (data.caseId === selected) openCase(selected)
    })
    events.addEventListener('message', function (event) {
      var data = JSON.parse(event.data)
      if (data.caseId === selected) renderTranscriptLine(data.activity)
    })
    events.addEventListener('typing', function (event) {
      var data = JSON.parse(event.data)
      if (data.caseId === selected) showTyping(true)
    })
    setInterval(renderQueue, 15000) // wait times move on
    setInterval(refreshQueue, 60000)
    window.helpDeskOutage.start({ api: api, el: el })
  }

  // The queue, the messages, the cases or Analytics (leads only), as the address's #fragment says: a reload stays
  // where the agent was. The open case stays beside the list.
  var VIEWS = { '#desk': 'queue', '#messages': 'messages', '#cases': 'cases', '#analytics': 'analytics' }
  function showView() {
    var view = VIEWS[location.hash] || 'queue'
    if (view === 'analytics' && me.role !== 'lead') view = 'queue'
    $('desk').hidden = view === 'analytics'
    $('analytics').hidden = view !== 'analytics'
    $('desk').classList.toggle('wide', view === 'cases')
    $('queue-view').hidden = view !== 'queue'
    $('messages-view').hidden = view !== 'messages'
    $('cases-view').hidden = view !== 'cases'
    ;[['nav-queue', 'queue'], ['nav-messages', 'messages'], ['nav-cases', 'cases'], ['nav-analytics', 'analytics']].forEach(function (pair) {
      $(pair[0]).setAttribute('aria-current', view === pair[1] ? 'page' : 'false')
    })
    if (view === 'analytics') window.helpDeskAnalytics.show({ api: api, el: el })
    if (view === 'cases' && !$('results-body').childElementCount) searchCases()
  }
  window.addEventListener('hashchange', function () { if (me) showView() })

  function showNotificationState() {
    var supported = 'Notification' in window
    var permission = supported ? Notification.permission : 'unsupported'
    $('notify').hidden = permission !== 'default'
    $('notify-status').textContent =
      permission === 'granted' ? 'Desktop notifications are on for new cases.'
        : permission === 'denied' ? 'Desktop notifications are blocked in this browser’s site settings.'
          : permission === 'unsupported' ? 'This browser has no desktop notifications.' : ''
  }

  $('login').addEventListener('submit', function (event) {
    event.preventDefault()
    $('login-error').textContent = ''
    api('POST', '/login', { username: $('username').value, password: $('password').value })
      .then(startDesk)
      .catch(function (err) { $('login-error').textContent = err.message })
  })
  $('logout').addEventListener('click', function () { api('POST', '/logout', {}).then(function () { window.location.reload() }) })
  $('claim').addEventListener('click', function () { act('claim') })
  $('give-back').addEventListener('click', function () { act('return') })
  $('sound').addEventListener('change', function () {
    try { localStorage.setItem(SOUND_KEY, $('sound').checked ? 'on' : 'off') } catch (e) { /* private mode */ }
    if ($('sound').checked) chime() // a click is a user gesture: the audio context may start now, and the agent hears it
  })
  // Permission is asked only here, on the agent's click: never on load.
  $('notify').addEventListener('click', function () {
    if (!('Notification' in window)) return showNotificationState()
    Promise.resolve(Notification.requestPermission()).then(showNotificationState, showNotificationState)
  })
  $('answer').addEventListener('submit', function (event) {
    event.preventDefault()
    answer()
  })
  $('note').addEventListener('submit', function (event) {
    event.preventDefault()
    addNote()
  })
  $('case-search').addEventListener('submit', function (event) {
    event.preventDefault()
    searchCases()
  })
  $('reply').addEventListener('submit', function (event) {
    event.preventDefault()
    send()
  })
  // Enter sends, Shift+Enter breaks the line (and Enter that finishes an input-method composition does neither).
  $('reply-text').addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return
    event.preventDefault()
    send()
  })
  // The user sees "typing" while the agent writes: at most one signal every few seconds.
  $('reply-text').addEventListener('input', function () {
    if (!mine(current) || !$('reply-text').value.trim() || Date.now() - lastTypingSent < 3000) return
    lastTypingSent = Date.now()
    api('POST', '/cases/' + encodeURIComponent(selected) + '/typing', {}).catch(function () {})
  })

  api('GET', '/me').then(startDesk).catch(showLogin)
})()
