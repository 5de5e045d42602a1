// The API key both pages send as `Authorization: Bearer <key>`.
// It is typed into the page and kept in this tab's sessionStorage only: it is gone when the tab
// closes, other sites cannot read it, and it never appears in a URL (there is no form to submit,
// so no browser can put it in a query string).
(function () {
  'use strict';

  var STORAGE_NAME = 'twenty-crm.apiKey';
  var input = document.getElementById('crm-api-key');
  var status = document.getElementById('crm-api-key-status');
  var listeners = [];

  function read() {
    try {
      return window.sessionStorage.getItem(STORAGE_NAME) || '';
    } catch (error) {
      return ''; // storage disabled: the page still works, without a key
    }
  }

  function write(value) {
    try {
      if (value) {
        window.sessionStorage.setItem(STORAGE_NAME, value);
      } else {
        window.sessionStorage.removeItem(STORAGE_NAME);
      }
    } catch (error) {
      // storage disabled: nothing to keep
    }
  }

  function show() {
    var key = read();
    input.value = '';
    input.placeholder = key ? 'Key in use (…' + key.slice(-4) + ')' : 'Paste an API key';
    status.textContent = key
      ? 'Using your key (kept in this tab only)'
      : 'No key: no workspace data';
    status.dataset.state = key ? 'key' : 'none';
  }

  function changed() {
    show();
    listeners.forEach(function (listener) {
      listener();
    });
  }

  function use() {
    var value = input.value.trim();
    if (value) {
      write(value);
      changed();
    }
  }

  document.getElementById('crm-api-key-use').addEventListener('click', use);
  document.getElementById('crm-api-key-forget').addEventListener('click', function () {
    write('');
    changed();
  });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') {
      use();
    }
  });
  show();

  window.crmApiKey = {
    get: read,
    onChange: function (listener) {
      listeners.push(listener);
    },
    // The headers of an API request: the bearer token when a key is in use.
    authorization: function () {
      var key = read();
      return key ? { Authorization: 'Bearer ' + key } : {};
    },
  };
})();
