// Mounts GraphiQL against this server, with the Authorization header
// pre-wired. The key is remembered in this browser (localStorage) once
// pasted; nothing is loaded from anywhere but this server.
(function () {
  var KEY_PLACEHOLDER = '<paste the API key make run printed>';
  var defaultHeaders = JSON.stringify({ Authorization: 'Bearer ' + KEY_PLACEHOLDER }, null, 2);

  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: true,
      defaultQuery: '# Paste your API key into the Headers tab below, then run a query:\n{\n  campaigns(first: 5) {\n    totalCount\n    nodes { id name status remainingBudget }\n  }\n}\n',
    })
  );
})();
