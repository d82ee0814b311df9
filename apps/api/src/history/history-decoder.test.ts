import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { decodeEvents } from './history-decoder';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const json = (value: unknown) => ({ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(value)) });

const history = historyFromJSON({
  events: [
    {
      eventId: '5',
      eventTime: '2026-11-26T00:00:00Z',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_FAILED',
      activityTaskFailedEventAttributes: {
        scheduledEventId: '3',
        startedEventId: '4',
        identity: '1@worker',
        retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
        failure: {
          message: 'the server said sk-live-0123456789',
          stackTrace: 'Error: boom\n    at run (/srv/weft/packages/activities/dist/x.js:1:1)',
          applicationFailureInfo: { type: 'http_status_401', details: { payloads: [json({ body: 'token sk-live-0123456789 refused' })] } },
        },
      },
    },
    {
      eventId: '7',
      eventTime: '2026-11-26T00:00:02Z',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_FAILED',
      activityTaskFailedEventAttributes: {
        scheduledEventId: '3',
        startedEventId: '4',
        failure: {
          message: 'Encoded failure',
          stackTrace: '',
          encodedAttributes: json({ message: 'the vendor said sk-live-0123456789', stack_trace: 'Error: x\n    at /srv/weft/packages/activities/dist/y.js:1:1' }),
          applicationFailureInfo: { type: 'llm_bad_request', nonRetryable: true },
        },
      },
    },
    {
      eventId: '6',
      eventTime: '2026-11-26T00:00:01Z',
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      workflowExecutionSignaledEventAttributes: {
        signalName: 'x',
        input: { payloads: [{ metadata: { encoding: b64('binary/plain') }, data: b64('sk-live-0123456789 raw bytes') }, { metadata: { encoding: b64('binary/null') } }] },
      },
    },
  ],
});

describe('decodeEvents', () => {
  it('decodes payloads, masks secret values everywhere, leaves out stack traces and bytes it cannot read', async () => {
    const [failed, encoded, signaled] = (await decodeEvents(loadDataConverter(), 'exec-1', history.events!, ['sk-live-0123456789'])) as any[];
    // A failure whose message the failure converter encoded: the message back in place, no stack.
    expect(encoded!.activityTaskFailedEventAttributes.failure).toEqual({ message: 'the vendor said [secret]', applicationFailureInfo: { type: 'llm_bad_request', nonRetryable: true } });
    expect(failed).toMatchObject({ execution: 'exec-1', eventId: 5, eventTime: '2026-11-26T00:00:00Z', eventType: 'EVENT_TYPE_ACTIVITY_TASK_FAILED' });
    const failure = failed!.activityTaskFailedEventAttributes.failure;
    expect(failure.message).toBe('the server said [secret]');
    expect(failure).not.toHaveProperty('stackTrace');
    expect(failure.applicationFailureInfo.details.payloads).toEqual([{ body: 'token [secret] refused' }]);
    expect(signaled!.workflowExecutionSignaledEventAttributes.input.payloads).toEqual([{ $undecodedPayload: { encoding: 'binary/plain', bytes: 28 } }, null]);
    expect(JSON.stringify([failed, encoded, signaled])).not.toMatch(/sk-live|\/srv\/weft|stack_trace|Encoded failure/);
  });
});
