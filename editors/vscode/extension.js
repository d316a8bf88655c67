// Starts `lkq lsp` for .lkq files. The binary and the extra data come from the settings
// lkq.path and lkq.data; everything else (diagnostics, completion, hover, definition,
// formatting) is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("lkq");
  const args = ["lsp"];
  for (const path of settings.get("data", [])) args.push("--data", path);
  const server = { command: settings.get("path", "lkq"), args };
  client = new LanguageClient("lkq", "LKQ", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "lkq" }, { scheme: "untitled", language: "lkq" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
