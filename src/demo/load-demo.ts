import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The worked example (PRODUCT.md §2) goes in through the public HTTP API, exactly as a desk
// would record it, so the demo exercises every rule a real client meets.

export interface DemoStep {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

export interface DemoData {
  /** Why the data says what it says; never sent. */
  notes: string[];
  /** In order: a claim's statement before the claim, a stance's claim before the stance. */
  steps: DemoStep[];
}

export interface LoadDemoOptions {
  baseUrl: string;
  /** An editor's (or admin's) API key. */
  apiKey: string;
  log?: (line: string) => void;
}

export interface LoadDemoResult {
  steps: DemoStep[];
  /** Steps answered 201: each recorded one event. */
  recorded: number;
  /** Steps answered 200: already recorded by an earlier load. */
  unchanged: number;
}

const DEMO_FILE = join(projectRoot(), 'demo', 'tinzaouaten-2024.json');

export async function readDemo(): Promise<DemoData> {
  return JSON.parse(await readFile(DEMO_FILE, 'utf8')) as DemoData;
}

/** Sends every step in order and stops at the first one the API refuses. */
export async function loadDemo({ baseUrl, apiKey, log = () => {} }: LoadDemoOptions): Promise<LoadDemoResult> {
  const { steps } = await readDemo();
  // One correlation id for the whole load, so an auditor sees these events as one act.
  const correlationId = randomUUID();
  const url = baseUrl.replace(/\/+$/, '');
  let recorded = 0;
  for (const step of steps) {
    const response = await fetch(`${url}${step.path}`, {
      method: step.method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-correlation-id': correlationId },
      body: JSON.stringify(step.body),
    }).catch((error: unknown) => {
      throw new Error(`Cannot reach the service at ${url}: ${String((error as { cause?: unknown }).cause ?? error)}`);
    });
    if (!response.ok) throw new Error(`${step.method} ${step.path} was refused: ${response.status} ${describeProblem(await response.text())}`);
    await response.body?.cancel();
    if (response.status === 201) recorded++;
    log(`${response.status} ${step.method} ${step.path}`);
  }
  return { steps, recorded, unchanged: steps.length - recorded };
}

/** The problem+json's code, detail and field errors; the raw text if it is not one. */
function describeProblem(answer: string): string {
  try {
    const { code, detail, errors = [] } = JSON.parse(answer) as { code?: string; detail?: string; errors?: { field: string; message: string }[] };
    return [code, detail, ...errors.map(({ field, message }) => `${field} ${message}`)].filter(Boolean).join(' — ');
  } catch {
    return answer;
  }
}

// This file runs as src/demo/ (tests) and as dist/src/demo/ (built): both sit under the
// folder that holds package.json, where demo/ lives.
function projectRoot(): string {
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
  }
}
