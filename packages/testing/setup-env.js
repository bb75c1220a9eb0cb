// Quiet logs in tests unless TEST_LOG_LEVEL asks for them.
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
