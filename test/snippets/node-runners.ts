/**
 * The runners the executed Node.js snippet tests put beside the generated `db.js`: open a connection,
 * ask the server who signed in, wait WAIT_MS (past the first token's expiry), open a second one while
 * the first is still open, and print both names as JSON. Nothing else is printed.
 */
export const NODE_RUNNERS = {
  postgres: `'use strict';
const { pool } = require('./db.js');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const first = await pool.connect();
  const a = await first.query('SELECT CURRENT_USER AS who');
  await wait(Number(process.env.WAIT_MS));
  // The first connection is still checked out, so this one is a new physical connection.
  const second = await pool.connect();
  const b = await second.query('SELECT CURRENT_USER AS who');
  first.release();
  second.release();
  await pool.end();
  console.log(JSON.stringify({ first: a.rows[0].who, second: b.rows[0].who }));
})().catch((error) => { console.error(error.message); process.exit(1); });
`,
  mysql: `'use strict';
const { pool } = require('./db.js');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const first = await pool.getConnection();
  const [a] = await first.query('SELECT CURRENT_USER() AS who');
  await wait(Number(process.env.WAIT_MS));
  const second = await pool.getConnection();
  const [b] = await second.query('SELECT CURRENT_USER() AS who');
  first.release();
  second.release();
  await pool.end();
  console.log(JSON.stringify({ first: a[0].who, second: b[0].who }));
})().catch((error) => { console.error(error.message); process.exit(1); });
`,
  sql: `'use strict';
const { connect, query } = require('./db.js');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const first = await connect();
  const a = await query(first, 'SELECT USER_NAME() AS who');
  await wait(Number(process.env.WAIT_MS));
  // A second sign-in while the first connection is still open: tedious asks the credential again.
  const second = await connect();
  const b = await query(second, 'SELECT USER_NAME() AS who');
  first.close();
  second.close();
  console.log(JSON.stringify({ first: a[0].who, second: b[0].who }));
})().catch((error) => { console.error(error.message); process.exit(1); });
`,
};
