import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.js';
import { handleCommandAcrossStreams, type WriteRequest, type WriteResult } from '../../event-store/handle-command.js';
import { type CrossIncidentCommand, otherIncidentOf } from '../domain/incident.commands.js';
import { contentOf, decideAcross, incidentDecider } from '../domain/incident.decide.js';
import { incidentStreamId } from '../domain/incident.streams.js';
import { storedIncidentEvent } from '../read-model/stored-incident-event.js';

/** A link, merge or split: a command that changes two incidents at once (rules in domain/incident.decide.ts, decideAcross). */
export class ExecuteCrossIncidentCommand extends Command<WriteResult> {
  constructor(
    readonly command: CrossIncidentCommand,
    readonly request: WriteRequest,
  ) {
    super();
  }
}

/** Reads both incidents, decides on both, and appends to both as one change. */
@CommandHandler(ExecuteCrossIncidentCommand)
export class ExecuteCrossIncidentCommandHandler implements ICommandHandler<ExecuteCrossIncidentCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ command, request }: ExecuteCrossIncidentCommand): Promise<WriteResult> {
    const target = { streamId: incidentStreamId(command.data.incidentId), entityId: command.data.incidentId, otherStreamId: incidentStreamId(otherIncidentOf(command)) };
    return handleCommandAcrossStreams(
      this.store,
      target,
      incidentDecider,
      (own, other, now) => decideAcross(command, own.state, { now, other, recorded: contentOf(own.events.map(storedIncidentEvent)) }),
      request,
    );
  }
}
