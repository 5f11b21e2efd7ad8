/** Entry point of `npm run apikey`; see apikey-cli.ts. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runApiKeyCli } = await import('./apikey-cli.ts');
process.exitCode = await runApiKeyCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
