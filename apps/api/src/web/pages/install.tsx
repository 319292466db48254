import { Layout } from '../layout.js';
import { frameOf, publicOrigin, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';

/** The commands that install `da` from this server and sign it in; `{token}` is filled in by the page script. */
export function setupCommands(server: string, token = '{token}'): { install: string; importToken: string; diagnose: string; all: string } {
  const install = `npm i -g ${server}/cli/da.tgz`;
  const importToken = `da auth import-token --token ${token} --server ${server}`;
  const diagnose = 'da diagnose';
  const all = [
    '# Set up Agnes on this machine',
    '# 1) Install the CLI (needs Node.js 20 or newer)',
    install,
    '# 2) Sign in with a personal access token',
    importToken,
    '# 3) Check that everything works',
    diagnose,
    '',
  ].join('\n');
  return { install, importToken, diagnose, all };
}

function Command(props: { id: string; label: string; text: string }) {
  return (
    <div class="copy-row">
      <pre class="code" id={props.id} aria-label={props.label}>
        {props.text}
      </pre>
      <button type="button" data-copy={props.id} hidden aria-label={`Copy: ${props.label}`}>
        Copy
      </button>
    </div>
  );
}

/** `/install`: per-deployment instructions for `da`, and the one-click setup of a new machine. */
export function installPages({ app, deps }: Web): void {
  app.get('/install', (c) => {
    const server = publicOrigin(c, deps.settings);
    const frame = frameOf(c, 'Install da');
    const commands = setupCommands(server, '<YOUR_TOKEN>');
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>Install da, the Agnes command line</h1>
        <p>
          This server: <code>{server}</code> · version {deps.settings.version}
        </p>
        {frame.viewer ? (
          <section class="card" aria-labelledby="setup-heading">
            <h2 id="setup-heading">Set up a new machine in one click</h2>
            <p>Creates a personal access token (90 days) and copies the whole setup: install, sign in, diagnose. Paste it into a terminal on the new machine.</p>
            <button type="button" id="setup-machine" class="primary" hidden>
              Set up a new machine
            </button>
            <p id="setup-status" role="status" aria-live="polite"></p>
            <label id="setup-output-label" for="setup-output" hidden>
              The setup (contains your new token; shown once)
            </label>
            <textarea id="setup-output" rows={8} readonly hidden></textarea>
            <textarea id="setup-template" hidden aria-hidden="true" tabindex={-1}>
              {setupCommands(server).all}
            </textarea>
            <details>
              <summary>What will be copied</summary>
              <pre class="code">{setupCommands(server, '<new token>').all}</pre>
            </details>
          </section>
        ) : (
          <p class="notice ok">
            <a href="/login?next=%2Finstall">Sign in</a> to create a token and set up a machine in one click.
          </p>
        )}
        <h2>1. Install the CLI</h2>
        <p>Needs Node.js 20 or newer.</p>
        <Command id="cmd-install" label="Install command" text={commands.install} />
        <h2>2. Sign in with a token</h2>
        <p>
          Create a personal access token on <a href="/tokens">My tokens</a>, then import it:
        </p>
        <Command id="cmd-import" label="Import token command" text={commands.importToken} />
        <h2>3. Check the setup</h2>
        <Command id="cmd-diagnose" label="Diagnose command" text={commands.diagnose} />
      </Layout>,
    );
  });
}
