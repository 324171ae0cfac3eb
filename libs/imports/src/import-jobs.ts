import { JobName } from '@app/jobs';

/** The import jobs, whose rejected rows `GET /imports/:id/rejected-rows` serves. */
export const IMPORT_JOBS: readonly JobName[] = [JobName.IMPORT_CONTACTS, JobName.IMPORT_INTERACTIONS, JobName.IMPORT_AUDIENCE_MEMBERS];
