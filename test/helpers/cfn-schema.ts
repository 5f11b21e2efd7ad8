/**
 * Checks a CloudFormation template against AWS's resource schemas offline: aws-cdk-lib's
 * `CfnInclude` loads it into a stack and `synth()` runs the CloudFormation validation the CDK
 * applies to every synthesized template (schema validation, required properties, common
 * misconfigurations). Without the feature flag below those findings are only warnings;
 * with it set to true they fail synthesis. The flag's name was checked in aws-cdk-lib 2.276.0
 * (`cx-api` FLAGS: `@aws-cdk/core:validateAgainstDefaultRules`, introduced in 2.262.0,
 * "Treat CloudFormation Validate findings as errors").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';

export const VALIDATE_FLAG = '@aws-cdk/core:validateAgainstDefaultRules';

/** Synthesizes `templateFile` with validation findings as errors; throws naming each finding. */
export function validateTemplateFile(templateFile: string): void {
  const outdir = mkdtempSync(join(tmpdir(), 'telegram-contacts-cdk-'));
  try {
    const app = new App({ outdir, context: { [VALIDATE_FLAG]: true } });
    new CfnInclude(new Stack(app, 'Packaged'), 'Template', { templateFile });
    app.synth();
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
