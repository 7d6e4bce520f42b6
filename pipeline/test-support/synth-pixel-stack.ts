import {Template} from 'aws-cdk-lib/assertions'

import {createPixelApp, type PixelAppOptions} from '../pixel-app.js'

/**
 * The pixel stack and its template, synthesized for unit tests: no Lambda bundling, no built-in
 * CloudFormation validation, no cdk-nag plugin (tests run the checks themselves).
 */
export function synthPixelStack(options: PixelAppOptions = {}) {
  const {app, stack} = createPixelApp({
    nag: false,
    builtinCloudFormationValidation: false,
    ...options,
    context: {'aws:cdk:bundling-stacks': [], ...options.context},
  })
  return {app, stack, template: Template.fromStack(stack)}
}
