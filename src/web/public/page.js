// The help page's chat: our own Direct Line (same origin), Web Chat from our server, no CDN.
;(function () {
  'use strict'
  var STORAGE_KEY = 'cac-helpdesk.conversation'
  var domain = window.location.origin + '/v3/directline'
  var status = document.getElementById('chat-status')

  function detectBrowser(ua) {
    if (/Edg\//.test(ua)) return 'edge'
    if (/Firefox\//.test(ua)) return 'firefox'
    if (/Trident|MSIE/.test(ua)) return 'ie'
    if (/Chrome\//.test(ua)) return 'chrome'
    if (/Safari\//.test(ua)) return 'safari'
    return 'other'
  }
  function detectOs(ua) {
    if (/iPhone|iPad/.test(ua)) return 'ios'
    if (/Android/.test(ua)) return 'android'
    if (/Windows/.test(ua)) return 'windows'
    if (/Mac OS X/.test(ua)) return 'macos'
    if (/Linux/.test(ua)) return 'linux'
    return 'other'
  }

  function post(path, token) {
    return fetch(domain + path, { method: 'POST', headers: token ? { Authorization: 'Bearer ' + token } : {} }).then(
      function (response) {
        if (!response.ok) {
          var error = new Error('HTTP ' + response.status)
          error.status = response.status
          error.retryAfter = Number(response.headers.get('Retry-After')) || 30
          throw error
        }
        return response.json()
      },
    )
  }

  function remember(conversationId, token) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ conversationId: conversationId, token: token }))
    } catch (e) {
      /* private mode: the chat still works, it just won't survive a reload */
    }
  }

  function saved() {
    try {
      var value = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null')
      return value && typeof value.conversationId === 'string' && typeof value.token === 'string' ? value : null
    } catch (e) {
      return null
    }
  }

  // A saved conversation is resumed with a fresh token; if that fails (expired, unknown), a new one starts.
  function session() {
    var previous = saved()
    var fresh = function () {
      return post('/tokens/generate').then(function (r) {
        return { conversationId: r.conversationId, token: r.token, resumed: false }
      })
    }
    if (!previous) return fresh()
    return post('/tokens/refresh', previous.token)
      .then(function (r) {
        return { conversationId: r.conversationId, token: r.token, resumed: true }
      })
      .catch(fresh)
  }

  // The outage notice agents set: asked for now and every two minutes, hidden when it runs out. Shown as text only.
  var notice = document.getElementById('service-notice')
  var noticeTimer = null
  function showNotice() {
    fetch('/api/notice', { cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : { notice: null } })
      .then(function (body) {
        clearTimeout(noticeTimer)
        var current = body && body.notice
        if (!current) return void (notice.hidden = true)
        document.getElementById('service-notice-text').textContent = current.text
        notice.hidden = false
        noticeTimer = setTimeout(function () { notice.hidden = true }, current.expiresInSeconds * 1000)
      })
      .catch(function () { /* the chat matters more than the banner: leave it as it is */ })
  }
  showNotice()
  setInterval(showNotice, 2 * 60 * 1000)

  // Turned away while the assistant is very busy (503): counts down the Retry-After and tries again by itself, so a
  // stressed user is not left to guess when to reload.
  function start() {
    session()
      .then(render)
      .catch(function (error) {
        if (error && error.status === 503) return retryIn(error.retryAfter)
        status.textContent = 'The chat could not start. Please reload the page, or contact your help desk directly.'
      })
  }
  function retryIn(seconds) {
    var left = Math.max(1, Math.round(seconds))
    ;(function tick() {
      if (left <= 0) {
        status.textContent = 'Trying again…'
        return start()
      }
      status.textContent =
        'The help-desk assistant is very busy right now. Trying again in ' + left + (left === 1 ? ' second' : ' seconds') +
        '; chats already open are not affected.'
      left -= 1
      setTimeout(tick, 1000)
    })()
  }
  start()

  function render(s) {
    remember(s.conversationId, s.token)
    var directLine = window.WebChat.createDirectLine({
      domain: domain,
      token: s.token,
      conversationId: s.conversationId,
      // Resuming replays the whole conversation from the start, so the history comes back after a reload.
      watermark: s.resumed ? '0' : undefined,
      webSocket: true,
    })
    // Direct Line refreshes its token; keep the newest so a later reload can resume.
    setInterval(function () {
      if (directLine.token) remember(s.conversationId, directLine.token)
    }, 60 * 1000)

    var ua = navigator.userAgent
    var store = window.WebChat.createStore({}, function (api) {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
            // The bot welcomes once per conversation, so this is safe to send on every load.
            api.dispatch({
              type: 'WEB_CHAT/SEND_EVENT',
              payload: { name: 'webchat/join', value: { browser: detectBrowser(ua), os: detectOs(ua) } },
            })
            status.textContent = ''
          }
          return next(action)
        }
      }
    })

    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: store,
        locale: 'en-US',
        sendTypingIndicator: true, // an agent who has the chat sees the user typing
        styleOptions: {
          hideUploadButton: true,
          botAvatarInitials: 'HD',
          userAvatarInitials: 'You',
          bubbleBackground: '#eef3fb',
          bubbleFromUserBackground: '#112e51',
          bubbleFromUserTextColor: '#ffffff',
          suggestedActionLayout: 'flow',
          sendBoxTextWrap: true,
          primaryFont: "'Segoe UI', system-ui, -apple-system, Arial, sans-serif",
        },
      },
      document.getElementById('webchat'),
    )
    var input = document.querySelector('#webchat input, #webchat textarea')
    if (input && !s.resumed) input.focus()
  }
})()
