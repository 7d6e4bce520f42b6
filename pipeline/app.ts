#!/usr/bin/env node
// The entry `cdk.json` runs: the CDK CLI synthesizes the app when this process exits.
import {createPixelApp} from './pixel-app.js'

createPixelApp()
