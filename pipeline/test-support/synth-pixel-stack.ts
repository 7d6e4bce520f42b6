import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Template} from 'aws-cdk-lib/assertions'

import {removeOnExit} from '../../lake/remove-on-exit.js'
import {createPixelApp, type PixelAppOptions} from '../pixel-app.js'

/**
 * A folder for a test's cloud assembly, removed when the test process ends: an app without one
 * synthesizes into a new cdk.out* folder under the temporary one, and a test run left fifty there.
 */
export function assemblyFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'pixel-cdk-test-'))
  removeOnExit(folder)
  return folder
}

/**
 * The pixel stack and its template, synthesized for unit tests: no Lambda bundling, no built-in
 * CloudFormation validation, no cdk-nag plugin (tests run the checks themselves).
 */
export function synthPixelStack(options: PixelAppOptions = {}) {
  const {app, stack} = createPixelApp({
    nag: false,
    builtinCloudFormationValidation: false,
    outdir: assemblyFolder(),
    ...options,
    context: {'aws:cdk:bundling-stacks': [], ...options.context},
  })
  return {app, stack, template: Template.fromStack(stack)}
}
