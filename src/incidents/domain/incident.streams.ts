/** The stream that holds an incident's events, one stream an incident. */
export const incidentStreamId = (incidentId: string) => `incident-${incidentId}`;
