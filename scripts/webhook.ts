/** Entry point of `npm run webhook`; see webhook-cli.ts. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runWebhookCli } = await import('./webhook-cli.ts');
process.exitCode = await runWebhookCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
