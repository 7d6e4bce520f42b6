import {realpath} from 'node:fs/promises'
import {Args, Flags} from '@oclif/core'
import {htmlReport} from '../../checks/report/html-report.js'
import {parseSavedReport, readSavedReport} from '../../checks/report/saved-report.js'
import {InvalidOptionError} from '../../lake/errors.js'
import {OutputFile} from '../output-file.js'
import {PixelCommand} from '../pixel-command.js'

/** What `pixel report --json` prints: the page written, and the verdict of the report it drew. */
export interface ReportResult {
  report: string
  html: string
  ok: boolean
  errors: number
  warnings: number
}

export default class Report extends PixelCommand {
  static override summary = 'Draw a report saved with pixel check --json as the HTML page pixel check --html writes.'

  static override description = `Reads one report saved with pixel check --json and writes the same self-contained HTML page \
pixel check --html would have written for it (works offline, loads nothing), so CI can check once and draw the report \
in a later step. Reports saved by older versions of pixel, without limits, per-hour bytes or lag, are drawn with what \
they hold.

REPORT may be - to read the report from stdin, so that pixel check --json can be piped into it.

Exit codes: 0 the page was written, whatever the verdict in the report (the check's own exit code told it); 2 it was \
not: the file is missing, not JSON, not a pixel check report, or the page cannot be written, with one line saying why.`

  static override examples = [
    {description: 'Draw a report saved earlier with pixel check --day yesterday --json > pixel-check.json', command: '<%= config.bin %> <%= command.id %> pixel-check.json --html pixel-check.html'},
    {description: 'Draw the report read from stdin, as when pixel check --day yesterday --json is piped into it', command: '<%= config.bin %> <%= command.id %> - --html pixel-check.html'},
    {description: 'Draw a report and print what was written as JSON', command: '<%= config.bin %> <%= command.id %> pixel-check.json --html pixel-check.html --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    report: Args.string({description: 'A report saved with pixel check --json, e.g. pixel-check.json, or - to read it from stdin.', required: true}),
  }

  static override flags = {
    html: Flags.string({description: 'The HTML page to write, e.g. pixel-check.html (written whole: an earlier file stays until the page is complete).', helpValue: 'FILE', required: true}),
  }

  async run(): Promise<ReportResult> {
    const {args, flags} = await this.parse(Report)
    const out = await OutputFile.create('--html', flags.html)
    try {
      const fromStdin = args.report === '-'
      const source = fromStdin ? undefined : await realpath(args.report).catch(() => undefined)
      if (source !== undefined && source === (await realpath(out.target).catch(() => out.target))) {
        throw new InvalidOptionError(`--html ${flags.html} is the report ${args.report} itself: write the page to another file`)
      }
      const report = fromStdin ? parseSavedReport(await readStdin(), 'the report on stdin') : await readSavedReport(args.report)
      await out.write(htmlReport(report))
      await out.commit()
      const errors = report.findings.filter((f) => f.severity === 'error').length
      if (!this.jsonEnabled()) this.log(`wrote ${flags.html}: ${report.ok ? 'passed' : 'failed'}, ${errors} error${errors === 1 ? '' : 's'}, ${report.findings.length - errors} warning${report.findings.length - errors === 1 ? '' : 's'}`)
      return {report: args.report, html: flags.html, ok: report.ok, errors, warnings: report.findings.length - errors}
    } finally {
      await out.discard()
    }
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
