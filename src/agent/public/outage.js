// The console's outage panel (every agent): problems reported far above their usual hourly rate, and the service
// notice agents set for users (help-page banner and the bot's first message). The notice is plain text throughout.
;(function () {
  'use strict'
  var $ = function (id) { return document.getElementById(id) }
  var api = null
  var el = null
  var shownSpikes = '' // the alerts as last drawn: redrawn (and announced) only when they change
  var UNTIL = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })

  function rate(perHour) {
    return perHour < 0.1 ? 'usually less than one every ten hours' : 'usually ' + perHour.toFixed(1) + ' an hour'
  }

  function proposeNotice(problem) {
    $('notice-details').open = true
    $('notice-text').value = 'Many users are reporting ' + problem.replace(/\.$/, '') + ' right now; we are working on it.'
    $('notice-text').focus()
  }

  function renderSpikes(spikes) {
    var key = JSON.stringify(spikes.map(function (s) { return [s.intentId, s.lastHour] }))
    $('spikes-none').hidden = spikes.length > 0
    if (key === shownSpikes) return
    shownSpikes = key
    var box = $('spike-alerts')
    box.textContent = ''
    spikes.forEach(function (s) {
      var item = el('div', null, 'spike')
      item.dataset.intentId = s.intentId
      var text = el('p')
      text.appendChild(el('strong', 'Possible outage: ' + s.problem + '. '))
      text.appendChild(document.createTextNode(s.lastHour + ' conversations in the last hour (' + rate(s.usualPerHour) + ').'))
      item.appendChild(text)
      var button = el('button', 'Write a notice about this')
      button.type = 'button'
      button.addEventListener('click', function () { proposeNotice(s.problem) })
      item.appendChild(button)
      box.appendChild(item)
    })
  }

  function renderNotice(notice) {
    $('notice-current').hidden = !notice
    if (!notice) return
    $('notice-current-text').textContent =
      'Users see until ' + UNTIL.format(new Date(notice.expiresAt)) + ' (set by ' + notice.setByName + '): “' + notice.text + '”'
  }

  function refresh() {
    return api('GET', '/outage').then(function (data) {
      renderSpikes(data.spikes)
      renderNotice(data.notice)
    }).catch(function () { /* the next poll tries again; the queue says when the server is unreachable */ })
  }

  $('notice-form').addEventListener('submit', function (event) {
    event.preventDefault()
    $('notice-error').textContent = ''
    api('POST', '/notice', { text: $('notice-text').value, minutes: Number($('notice-minutes').value) })
      .then(function (data) {
        renderNotice(data.notice)
        $('notice-details').open = false
        $('notice-text').value = ''
      })
      .catch(function (err) { $('notice-error').textContent = err.message })
  })
  $('notice-clear').addEventListener('click', function () {
    api('POST', '/notice/clear', {}).then(function () { renderNotice(null) }).catch(function (err) { $('notice-error').textContent = err.message })
  })

  window.helpDeskOutage = {
    start: function (kit) {
      api = kit.api
      el = kit.el
      refresh()
      setInterval(refresh, 60000)
    },
  }
})()
