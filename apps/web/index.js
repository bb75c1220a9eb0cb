// The built pages, for whoever serves them (the launcher hands this folder to the gateway).
const { join } = require('node:path');
module.exports = { WEB_DIST: join(__dirname, 'dist') };
