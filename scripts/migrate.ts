/** Entry point of `npm run migrate`; see migrate-cli.ts. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runMigrateCli } = await import('./migrate-cli.ts');
process.exitCode = await runMigrateCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
