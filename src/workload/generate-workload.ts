import { v7 as uuidv7 } from 'uuid';
import type { WriteRequest, WriteResult } from '../event-store/handle-command.js';
import { ExecuteCrossIncidentCommand } from '../incidents/commands/execute-cross-incident-command.js';
import { ExecuteIncidentCommand } from '../incidents/commands/execute-incident-command.js';
import type { IncidentCommand } from '../incidents/domain/incident.commands.js';
import { CLAIM_GRADES, FIGURE_OUTCOMES, FIGURE_QUALIFIERS, type Figure } from '../incidents/domain/incident.events.js';
import { ExecuteSourceCommand } from '../sources/commands/execute-source-command.js';
import { SOURCE_KINDS } from '../sources/domain/source.events.js';

// A synthetic but rule-abiding newsroom workload, for the rebuild and crash tests and the
// benchmarks: sources, incidents, and for each incident statements and claims that are
// then amended, retracted, corrected and graded. Seeded: a run repeats the same shapes
// and figures (the ids are fresh each time).

export interface WorkloadOptions {
  /** Stop once at least this many events were appended. */
  events: number;
  seed?: number;
  /** Commands in flight at once. */
  concurrency?: number;
}

const COUNTRIES = ['ML', 'BF', 'NE', 'SD', 'UA', 'SY', 'YE', 'CD'];
const PARTIES = ['Wagner', 'Malian soldiers', 'civilians', 'JNIM fighters', 'CSP-PSD fighters'];
const TAGS = ['sahel', 'ambush', 'airstrike', 'convoy', 'border', 'drone', 'siege'];

/** The app's CommandBus, or anything that runs these commands as its handlers do. */
export interface WorkloadCommands {
  execute(command: ExecuteIncidentCommand | ExecuteCrossIncidentCommand | ExecuteSourceCommand): Promise<WriteResult>;
}

export async function generateWorkload(commands: WorkloadCommands, options: WorkloadOptions): Promise<{ events: number; incidents: string[]; sources: string[] }> {
  const random = mulberry32(options.seed ?? 2024);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const request: WriteRequest = { recordedBy: 'workload', correlationId: uuidv7(), causationId: uuidv7() };
  let events = 0;
  const run = async (command: ExecuteIncidentCommand | ExecuteCrossIncidentCommand | ExecuteSourceCommand) => {
    const result = await commands.execute(command);
    if (result.appended) events++;
  };

  const sources = Array.from({ length: 20 }, () => uuidv7());
  for (const [index, sourceId] of sources.entries()) {
    await run(new ExecuteSourceCommand({ type: 'RegisterSource', data: { sourceId, name: `Source ${index}`, kind: pick(SOURCE_KINDS), aliases: [], confidential: false } }, request));
  }

  const figure = (): Figure => {
    const qualifier = pick(FIGURE_QUALIFIERS);
    const value = Math.floor(random() * 80);
    return { party: pick(PARTIES), outcome: pick(FIGURE_OUTCOMES), qualifier, ...(qualifier === 'unspecified' ? {} : { value }), originalText: qualifier === 'unspecified' ? 'numerous' : `${value}` };
  };
  const day = (offset: number) => new Date(Date.UTC(2024, 0, 1) + offset * 86_400_000).toISOString();

  const incidentStory = async (incidentId: string, index: number) => {
    const execute = (command: IncidentCommand) => run(new ExecuteIncidentCommand(command, request));
    const country = pick(COUNTRIES);
    await execute({
      type: 'OpenIncident',
      data: {
        incidentId,
        title: `Incident ${index}: clashes reported near town ${index % 97}`,
        description: `Reports of fighting involving ${pick(PARTIES)} and ${pick(PARTIES)}.`,
        location: { place: `Town ${index % 97}`, region: `Region ${index % 13}`, country, precision: 'near' },
        occurred: { from: day(index % 300).slice(0, 10), precision: 'day' },
        tags: [pick(TAGS), pick(TAGS)].filter((tag, i, all) => all.indexOf(tag) === i),
      },
    });
    const claims: string[] = [];
    for (let c = 0; c < 4; c++) {
      const claimId = uuidv7();
      claims.push(claimId);
      await execute({
        type: 'ReportClaim',
        data: { incidentId, claimId, claimantId: pick(sources), via: random() < 0.3 ? [pick(sources)] : [], summary: `Claim ${c} about incident ${index}`, kind: 'casualties', figures: [figure(), figure()], statedAt: day((index % 300) + c) },
      });
    }
    await execute({
      type: 'RecordStatement',
      data: { incidentId, statementId: uuidv7(), sourceId: pick(sources), via: [], medium: 'communique', quote: `Statement on incident ${index}`, language: 'en', statedAt: day((index % 300) + 5), stances: [{ claimId: claims[0], stance: pick(['supports', 'disputes', 'denies'] as const) }] },
    });
    await execute({ type: 'AmendClaim', data: { incidentId, claimId: claims[1], figures: [figure()], statedAt: day((index % 300) + 6), reason: 'claimant raised its toll' } });
    await execute({ type: 'CorrectClaim', data: { incidentId, claimId: claims[2], summary: `Corrected claim about incident ${index}`, reason: 'typo' } });
    await execute({ type: 'AssessClaim', data: { incidentId, claimId: claims[0], grade: pick(CLAIM_GRADES), rationale: 'desk review' } });
    if (random() < 0.5) await execute({ type: 'RetractClaim', data: { incidentId, claimId: claims[3], reason: 'withdrawn', statedAt: day((index % 300) + 7), retractedBy: 'claimant' } });
    // Linked only to incidents of earlier rounds: those are opened by now.
    if (opened.length > 0 && random() < 0.3) {
      await run(new ExecuteCrossIncidentCommand({ type: 'LinkIncidents', data: { incidentId, otherIncidentId: pick(opened), relation: 'related' } }, request));
    }
  };

  const concurrency = options.concurrency ?? 4;
  const opened: string[] = [];
  while (events < options.events) {
    const round = Array.from({ length: concurrency }, (_, i) => ({ incidentId: uuidv7(), index: opened.length + i }));
    await Promise.all(round.map(({ incidentId, index }) => incidentStory(incidentId, index)));
    opened.push(...round.map(({ incidentId }) => incidentId));
  }
  return { events, incidents: opened, sources };
}

/** A small seeded PRNG: the same seed gives the same workload. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
