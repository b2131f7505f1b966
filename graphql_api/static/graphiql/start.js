// Mounts GraphiQL against this server, with the Authorization header
// pre-wired. The key is remembered in this browser (localStorage) once
// pasted; nothing is loaded from anywhere but this server.
(function () {
  var KEY_PLACEHOLDER = '<paste the API key make run printed>';
  var defaultHeaders = JSON.stringify({ Authorization: 'Bearer ' + KEY_PLACEHOLDER }, null, 2);
  var NO_KEY_MESSAGE =
    'No API key yet. Paste the key `make run` printed into the Headers tab below, as ' +
    '{"Authorization": "Bearer csk_..."}. Lost it? Run ' +
    '`.venv/bin/campaign-service keys create --role admin --name me`.';

  // A header value that can be a key, not the placeholder or an empty one.
  function hasKey(headersText) {
    try {
      var headers = JSON.parse(headersText || '{}');
      var value = String(headers.Authorization || headers.authorization || '');
      var key = value.replace(/^Bearer\s+/i, '').trim();
      return key.length > 0 && key.indexOf('<') === -1;
    } catch (error) {
      return false;
    }
  }

  // Without a key, answer from here with the instructions instead of sending
  // a request the server can only refuse (a red UNAUTHENTICATED).
  function makeFetcher() {
    var send = GraphiQL.createFetcher({ url: window.location.pathname });
    return function (params, options) {
      if (!hasKey(JSON.stringify((options && options.headers) || {}))) {
        return Promise.resolve({ data: null, errors: [{ message: NO_KEY_MESSAGE }] });
      }
      return send(params, options);
    };
  }

  var banner = document.getElementById('no-key');
  function showBanner(show) {
    banner.hidden = !show;
  }

  function App() {
    var initial = window.localStorage.getItem('graphiql:headers') || defaultHeaders;
    var keyed = React.useState(hasKey(initial));
    var keyPresent = keyed[0];
    var setKeyPresent = keyed[1];
    // A new fetcher makes GraphiQL fetch the schema again, so the Docs pane
    // fills in as soon as a key is pasted, without the re-fetch button.
    var fetcher = React.useMemo(makeFetcher, [keyPresent]);
    React.useEffect(function () { showBanner(!keyPresent); }, [keyPresent]);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: true,
      onEditHeaders: function (text) { setKeyPresent(hasKey(text)); },
      defaultQuery:
        '# Paste your API key into the Headers tab below, then run a query:\n{\n  campaigns(first: 5) {\n' +
        '    totalCount\n    nodes { id name status remainingBudget }\n  }\n}\n',
    });
  }

  banner.textContent = NO_KEY_MESSAGE;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(App));
})();
