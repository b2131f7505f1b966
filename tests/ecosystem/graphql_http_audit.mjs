// Runs graphql-http's audit against a live server, with an API key on every
// request, and prints the results as JSON.
import { auditServer } from 'graphql-http';

const [url, key] = process.argv.slice(2);
const results = await auditServer({
  url,
  fetchFn: (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    headers.set('Authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  },
});
console.log(JSON.stringify(results.map(({ id, name, status, reason }) => ({ id, name, status, reason }))));
