/*! backbone snippet 1.0.0 | docs/snippet.md */
(function (w, d) {
  'use strict';
  var VERSION = '1.0.0';
  var me = d.currentScript;
  if (!me || w.backbone) return;
  var key = me.getAttribute('data-key');
  var endpoint = new URL('/v1/batch', me.src).href;
  var nav = w.navigator;
  // Global Privacy Control or Do Not Track: nothing is stored, no identifier is kept.
  var quiet = nav.globalPrivacyControl === true || nav.doNotTrack === '1';
  var consent = { pending: me.getAttribute('data-consent') !== 'granted' };
  if (!consent.pending) consent.analytics = true;
  var queue = [];
  var MAX_QUEUE = 100;
  var timer = 0;
  var failures = 0;
  var lastUrl = '';

  function uuid() {
    return w.crypto && w.crypto.randomUUID
      ? w.crypto.randomUUID()
      : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
          var r = (Math.random() * 16) | 0;
          return (c === 'x' ? r : (r & 3) | 8).toString(16);
        });
  }

  // Identifiers are stored (localStorage, sessionStorage; never a cookie) only with consent.
  var memory = {};
  function id(store, name) {
    var keep = !quiet && consent.analytics === true;
    var s = keep ? w[store] : null;
    try {
      var v = (s && s.getItem(name)) || memory[name] || uuid();
      memory[name] = v;
      if (s) s.setItem(name, v);
      return v;
    } catch {
      return (memory[name] = memory[name] || uuid());
    }
  }

  function context() {
    return {
      userAgent: nav.userAgent,
      locale: nav.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      session_id: id('sessionStorage', 'bb_sid'),
      page: { url: w.location.href, referrer: d.referrer || undefined, title: d.title },
    };
  }

  function enqueue(message) {
    if (consent.analytics === false) return;
    message.messageId = uuid();
    message.anonymousId = id('localStorage', 'bb_aid');
    message.timestamp = new Date().toISOString();
    message.context = context();
    queue.push(message);
    if (queue.length > MAX_QUEUE) queue.shift();
    schedule(queue.length >= 20 ? 0 : 1000);
  }

  function schedule(ms) {
    if (consent.pending || timer) return;
    timer = setTimeout(flush, ms);
  }

  // Each message carries the consent it is sent under; the gateway enforces it.
  function body(batch) {
    batch.forEach(function (m) {
      m.context.consent = {
        categoryPreferences: { Analytics: !quiet && consent.analytics === true },
      };
    });
    return JSON.stringify({ batch: batch, writeKey: key, sentAt: new Date().toISOString() });
  }

  function flush() {
    timer = 0;
    if (consent.pending || !queue.length) return;
    var batch = queue.splice(0, 20);
    // text/plain: no preflight; the gateway answers the site's origin if CORS_ORIGINS has it.
    w.fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: body(batch),
      keepalive: true,
      credentials: 'omit',
    }).then(
      function (res) {
        if (res.status === 429 || res.status >= 500) return retry(batch);
        failures = 0;
        if (queue.length) schedule(0);
      },
      function () {
        retry(batch);
      },
    );
  }

  function retry(batch) {
    queue = batch.concat(queue).slice(-MAX_QUEUE);
    failures++;
    if (failures <= 5) schedule(Math.min(30000, 500 * Math.pow(2, failures)));
  }

  function beacon() {
    if (consent.pending || !queue.length || !nav.sendBeacon) return;
    var batch = queue.splice(0, 20);
    if (!nav.sendBeacon(endpoint, new Blob([body(batch)], { type: 'text/plain' })))
      queue = batch.concat(queue);
  }

  function page() {
    if (w.location.href === lastUrl) return;
    lastUrl = w.location.href;
    enqueue({ type: 'page', properties: { url: lastUrl, title: d.title } });
  }

  // Single-page applications: a new URL through the History API is a new page view.
  ['pushState', 'replaceState'].forEach(function (name) {
    var original = w.history[name];
    w.history[name] = function () {
      var result = original.apply(this, arguments);
      page();
      return result;
    };
  });
  w.addEventListener('popstate', page);

  // Clicks on elements marked data-bb-click="<name>": the name, never the element's text.
  d.addEventListener(
    'click',
    function (e) {
      var el = e.target && e.target.closest && e.target.closest('[data-bb-click]');
      if (!el) return;
      var link = el.closest('a[href]');
      enqueue({
        type: 'track',
        event: 'Element Clicked',
        properties: {
          element: el.getAttribute('data-bb-click'),
          href: link ? link.href : undefined,
        },
      });
    },
    true,
  );

  w.addEventListener('pagehide', beacon);
  d.addEventListener('visibilitychange', function () {
    if (d.visibilityState === 'hidden') beacon();
  });

  w.backbone = {
    version: VERSION,
    /** The visitor's choice: {analytics: true} sends what was held; false discards it. */
    consent: function (choice) {
      consent = { analytics: choice && choice.analytics === true };
      if (!consent.analytics) queue = [];
      else schedule(0);
    },
    track: function (name, properties) {
      enqueue({ type: 'track', event: String(name), properties: properties || {} });
    },
    page: page,
    flush: flush,
  };
  page();
})(window, document);
