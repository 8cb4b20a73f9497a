// Browser tests run under @web/test-runner's mocha: describe/it/before/after are globals there.
// tsconfig.json lists only "node" in `types`, so the mocha globals are brought in here.
/// <reference types="mocha" />
