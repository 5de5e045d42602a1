// The GraphQL playground: GraphiQL against /graphql (core) or /metadata, sending the page's API
// key. Paths are relative to the page, so it works under API Gateway's stage path too.
(function () {
  'use strict';

  var select = document.getElementById('crm-endpoint');
  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  var renders = 0;

  var DEFAULT_QUERIES = {
    graphql:
      '# Paste an API key above, then run this with the ▶ button (or Ctrl-Enter).\n' +
      '{\n  companies(first: 5) {\n    totalCount\n    edges {\n      node {\n' +
      '        id\n        name\n      }\n    }\n  }\n}\n',
    metadata:
      '# Paste an API key above, then run this with the ▶ button (or Ctrl-Enter).\n' +
      '{\n  objects {\n    edges {\n      node {\n        nameSingular\n' +
      '        namePlural\n        isCustom\n      }\n    }\n  }\n}\n',
  };

  function fetcherFor(path) {
    var url = new URL(path, document.baseURI).href;
    return function (params) {
      var headers = Object.assign(
        { 'Content-Type': 'application/json', Accept: 'application/json' },
        window.crmApiKey.authorization()
      );
      return fetch(url, {
        method: 'POST',
        headers: headers,
        body: JSON.stringify(params),
        credentials: 'omit',
      }).then(function (response) {
        return response.json();
      });
    };
  }

  // GraphiQL keeps tabs and history in localStorage; one namespace per endpoint keeps core
  // queries out of the metadata tabs. Headers typed into GraphiQL are not kept (the default).
  function storageFor(path) {
    var prefix = 'twenty-crm.playground.' + path + ':';
    function ownNames() {
      return Object.keys(window.localStorage).filter(function (name) {
        return name.indexOf(prefix) === 0;
      });
    }
    return {
      getItem: function (name) {
        return window.localStorage.getItem(prefix + name);
      },
      setItem: function (name, value) {
        window.localStorage.setItem(prefix + name, value);
      },
      removeItem: function (name) {
        window.localStorage.removeItem(prefix + name);
      },
      clear: function () {
        ownNames().forEach(function (name) {
          window.localStorage.removeItem(name);
        });
      },
      get length() {
        return ownNames().length;
      },
    };
  }

  function render() {
    var path = select.value;
    renders += 1;
    // A new React key mounts a fresh GraphiQL, which introspects the schema again: another
    // key may belong to another workspace, with other objects.
    root.render(
      window.React.createElement(window.GraphiQL, {
        key: path + '#' + renders,
        fetcher: fetcherFor(path),
        storage: storageFor(path),
        defaultQuery: DEFAULT_QUERIES[path],
      })
    );
  }

  select.addEventListener('change', render);
  window.crmApiKey.onChange(render);
  render();
})();
