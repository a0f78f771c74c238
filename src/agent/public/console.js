// The agent console. Everything a user typed is shown with textContent: never parsed as HTML.
;(function () {
  'use strict'
  var $ = function (id) { return document.getElementById(id) }
  var selected = null
  var me = null

  function api(method, path, body) {
    return fetch('/agent/api' + path, {
      method: method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.status === 401 && path !== '/login') showLogin()
        if (!response.ok) throw new Error(data.error || 'HTTP ' + response.status)
        return data
      })
    })
  }

  function el(tag, text, className) {
    var node = document.createElement(tag)
    if (text !== undefined && text !== null) node.textContent = String(text)
    if (className) node.className = className
    return node
  }

  function showLogin() {
    $('login').hidden = false
    $('desk').hidden = true
    $('logout').hidden = true
    $('who').textContent = ''
  }

  function minutes(seconds) {
    return seconds < 60 ? seconds + ' s' : Math.floor(seconds / 60) + ' min'
  }

  function renderQueue(cases) {
    var list = $('queue')
    list.textContent = ''
    $('queue-empty').hidden = cases.length > 0
    cases.forEach(function (c) {
      var item = el('li')
      var button = el('button')
      button.type = 'button'
      button.dataset.caseId = c.id
      button.setAttribute('aria-current', String(c.id === selected))
      button.appendChild(el('strong', c.id + ' · ' + c.status))
      button.appendChild(el('div', (c.intentId || 'no matched problem') + ' · waiting ' + minutes(c.waitingSeconds)))
      if (c.question) button.appendChild(el('div', '“' + c.question + '”', 'muted'))
      if (c.leftMessage) button.appendChild(el('div', 'Message left: ' + c.leftMessage))
      button.addEventListener('click', function () { openCase(c.id) })
      item.appendChild(button)
      list.appendChild(item)
    })
  }

  function renderRecent(conversations) {
    var list = $('recent')
    list.textContent = ''
    conversations.forEach(function (c) {
      var item = el('li')
      var link = el('a', c.channelId + ' · ' + c.last.replace('T', ' ').slice(0, 16) + ' · ' + c.activities + ' activities')
      link.href = '/agent/api/conversations/' + encodeURIComponent(c.channelId) + '/' + encodeURIComponent(c.conversationId) + '/transcript'
      link.setAttribute('download', '')
      item.appendChild(link)
      list.appendChild(item)
    })
  }

  function refreshQueue() {
    api('GET', '/conversations').then(function (data) { renderRecent(data.conversations) }).catch(function () {})
    return api('GET', '/queue').then(function (data) { renderQueue(data.cases) })
  }

  function renderTranscriptLine(activity) {
    var role = activity.from && activity.from.role
    var who = role === 'user' ? 'User' : role === 'agent' ? (activity.from.name || 'Agent') : 'Bot'
    var line = el('li', who + ': ' + (activity.text || ''), role === 'user' ? 'user' : role === 'agent' ? 'agent' : 'bot')
    $('transcript').appendChild(line)
    line.scrollIntoView({ block: 'nearest' })
  }

  function openCase(id) {
    selected = id
    return api('GET', '/cases/' + encodeURIComponent(id)).then(function (data) {
      var c = data.case
      $('case').hidden = false
      $('case-heading').textContent = 'Case ' + c.id
      $('case-status').textContent = 'Status: ' + c.status + (c.agentId ? ' (' + c.agentId + ')' : '') + ' · channel ' + c.channelId
      $('claim').disabled = c.status === 'claimed' && c.agentId === me.username
      $('give-back').disabled = !(c.status === 'claimed' && c.agentId === me.username)
      $('reply').hidden = !(c.status === 'claimed' && c.agentId === me.username)
      $('export').href = '/agent/api/cases/' + encodeURIComponent(c.id) + '/transcript'
      var packet = $('packet')
      packet.textContent = ''
      var p = c.packet
      ;[
        ['Summary', p.summary],
        ['Asked', p.question],
        ['Problem', p.intentId],
        ['Error messages', (p.errorMessages || []).join(', ')],
        ['Browser / OS', [p.browser, p.os].filter(Boolean).join(' / ')],
        ['Reason', p.reason],
        ['Requested', p.requestedAt],
        ['Message left', c.leftMessage],
      ].forEach(function (pair) {
        if (!pair[1]) return
        packet.appendChild(el('dt', pair[0]))
        packet.appendChild(el('dd', pair[1]))
      })
      var trail = $('trail')
      trail.textContent = ''
      ;(p.trail || []).forEach(function (t) {
        trail.appendChild(el('li', t.procedureId + ' / ' + t.stepId + (t.question ? ': ' + t.question : '') + (t.answer ? ' → ' + t.answer : '') + ' (' + t.at + ')'))
      })
      $('transcript').textContent = ''
      data.transcript.forEach(renderTranscriptLine)
      return refreshQueue()
    })
  }

  function act(action) {
    $('case-error').textContent = ''
    return api('POST', '/cases/' + encodeURIComponent(selected) + '/' + action, {})
      .then(function () { return openCase(selected) })
      .catch(function (err) { $('case-error').textContent = err.message })
  }

  function startDesk(agent) {
    me = agent
    $('login').hidden = true
    $('desk').hidden = false
    $('logout').hidden = false
    $('who').textContent = 'Signed in as ' + agent.name
    refreshQueue()
    var events = new EventSource('/agent/api/events')
    events.addEventListener('changed', function (event) {
      var data = JSON.parse(event.data)
      refreshQueue()
      if (data.caseId === selected) openCase(selected)
    })
    events.addEventListener('message', function (event) {
      var data = JSON.parse(event.data)
      if (data.caseId === selected) renderTranscriptLine(data.activity)
    })
    setInterval(refreshQueue, 30000) // wait times move on
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
  $('close').addEventListener('click', function () { act('close') })
  $('reply').addEventListener('submit', function (event) {
    event.preventDefault()
    var text = $('reply-text').value.trim()
    if (!text) return
    api('POST', '/cases/' + encodeURIComponent(selected) + '/messages', { text: text })
      .then(function () { $('reply-text').value = '' })
      .catch(function (err) { $('case-error').textContent = err.message })
  })

  api('GET', '/me').then(startDesk).catch(showLogin)
})()
