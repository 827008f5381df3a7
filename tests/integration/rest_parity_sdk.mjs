// rest_parity_sdk.mjs - the calls of issue 16's REST parity (meeting
// settings, PUT of meetings and presets, list filters, AUDIO_ROOM and
// fhd/uhd presets, PATCH tokens) made through the official Cloudflare
// TypeScript SDK (npm `cloudflare`), as a RealtimeKit user who points
// `baseURL` at RTK and passes RTK's API key as `apiToken` would.
//
// Run by tests/integration/test_rest_parity.py with RTK_PARITY_SDK =
// {base, apiKey, sdk}: `sdk` is the directory whose node_modules has the
// package. Every check throws on a mismatch; the script prints one line
// per step and exits 1 at the first failure.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const live = JSON.parse(process.env.RTK_PARITY_SDK);
const resolved = createRequire(path.join(live.sdk, 'package.json')).resolve('cloudflare');
const imported = await import(pathToFileURL(resolved).href);
const Cloudflare = imported.default?.default ?? imported.default ?? imported.Cloudflare;
const client = new Cloudflare({ apiToken: live.apiKey, baseURL: live.base, maxRetries: 0, timeout: 30000 });
const kit = client.realtimeKit;
const ACCOUNT = 'rtk-account';
const APP = 'rtk-app';
const ids = { account_id: ACCOUNT, app_id: APP };

function step(what) {
	console.log(`ok      ${what}`);
}

async function refused(promise, status, needle, what) {
	try {
		await promise;
	} catch (e) {
		assert.equal(e.status, status, `${what}: status`);
		assert.equal(e.error?.success, false, `${what}: envelope ${JSON.stringify(e.error)}`);
		assert.equal(e.error?.error?.code, status, `${what}: error.code`);
		assert.ok(String(e.error?.error?.message).includes(needle), `${what}: message ${e.error?.error?.message}`);
		return;
	}
	assert.fail(`${what}: succeeded, expected ${status}`);
}

const recordingConfig = {
	max_seconds: 600, file_name_prefix: 'sdk',
	video_config: { codec: 'H264', width: 1280, height: 720 },
	audio_config: { codec: 'AAC', channel: 'mono' },
	realtimekit_bucket_config: { enabled: true },
};
const aiConfig = { transcription: { language: 'en-IN', keywords: ['RTK'] },
	summarization: { word_limit: 300, text_format: 'markdown', summary_type: 'daily_standup' } };
const title = `SDK parity ${process.pid}`;

const created = await kit.meetings.create(APP, {
	account_id: ACCOUNT, title, record_on_start: null, transcribe_on_end: true,
	session_keep_alive_time_in_secs: 90, preferred_region: 'ap-south-1',
	recording_config: recordingConfig, ai_config: aiConfig,
});
const m = created.data;
assert.equal(created.success, true);
assert.deepEqual([m.title, m.record_on_start, m.transcribe_on_end, m.session_keep_alive_time_in_secs,
	m.preferred_region], [title, false, true, 90, 'ap-south-1']);
assert.deepEqual(m.recording_config, recordingConfig);
assert.deepEqual(m.ai_config, aiConfig);
step('meetings.create with recording_config, ai_config, preferred_region, keep-alive, transcribe_on_end');

const fetched = await kit.meetings.getMeetingByID(m.id, ids);
assert.deepEqual(fetched.data, m);
step('meetings.getMeetingByID echoes them');

const listed = await kit.meetings.get(APP, { account_id: ACCOUNT, search: title.toUpperCase(),
	start_time: m.created_at, end_time: '2999-01-01T00:00:00Z', status: 'ACTIVE' });
assert.deepEqual(listed.data.map((x) => x.id), [m.id]);
assert.equal(listed.paging.total_count, 1);
const none = await kit.meetings.get(APP, { account_id: ACCOUNT, search: title, status: 'INACTIVE' });
assert.equal(none.paging.total_count, 0);
step('meetings.get with search, start_time, end_time, status');
await refused(kit.meetings.get(APP, { account_id: ACCOUNT, start_time: 'last tuesday' }), 400, "'start_time'",
	'meetings.get with a bad start_time');

const patched = await kit.meetings.updateMeetingByID(m.id, { ...ids, status: 'INACTIVE',
	session_keep_alive_time_in_secs: 120 });
assert.deepEqual([patched.data.status, patched.data.session_keep_alive_time_in_secs, patched.data.preferred_region],
	['INACTIVE', 120, 'ap-south-1']);
step('meetings.updateMeetingByID changes what it names');

const replaced = await kit.meetings.replaceMeetingByID(m.id, { ...ids, title: 'SDK replaced', persist_chat: true });
const r = replaced.data;
assert.deepEqual([r.id, r.title, r.persist_chat, r.transcribe_on_end, r.session_keep_alive_time_in_secs,
	r.preferred_region, r.recording_config, r.ai_config, r.status],
	[m.id, 'SDK replaced', true, false, 0, null, null, null, 'INACTIVE']);
step('meetings.replaceMeetingByID returns what it is not given to the defaults');
await refused(kit.meetings.replaceMeetingByID(m.id, { ...ids, recording_config: { video_config: { codec: 'VP9' } } }),
	400, 'H264, VP8', 'meetings.replaceMeetingByID with VP9');
await refused(kit.meetings.create(APP, { account_id: ACCOUNT, preferred_region: 'mars-1' }), 400,
	"'preferred_region'", 'meetings.create with an unknown region');

await kit.meetings.updateMeetingByID(m.id, { ...ids, status: 'ACTIVE' });
const added = await kit.meetings.addParticipant(m.id, { ...ids, name: 'Ada', preset_name: 'group_call_host',
	custom_participant_id: `ada-${process.pid}` });
assert.ok(added.data.token);
const edited = await kit.meetings.editParticipant(added.data.id, { ...ids, meeting_id: m.id, name: 'Ada L.',
	preset_name: 'webinar_viewer' });
assert.deepEqual([edited.data.name, edited.data.preset_name], ['Ada L.', 'webinar_viewer']);
assert.ok(typeof edited.data.token === 'string' && edited.data.token.split('.').length === 3,
	`editParticipant token: ${JSON.stringify(edited.data)}`);
step('meetings.editParticipant answers a token');
await refused(kit.meetings.addParticipant(m.id, { ...ids, preset_name: 'no_such_preset', custom_participant_id: 'x' }),
	400, 'no_such_preset', 'meetings.addParticipant with an unknown preset');

const presetName = `sdk-audio-${process.pid}`;
const preset = await kit.presets.create(APP, { account_id: ACCOUNT, name: presetName,
	config: { view_type: 'AUDIO_ROOM', max_screenshare_count: 0, max_video_streams: { mobile: 0, desktop: 0 },
		media: { video: { quality: 'uhd', frame_rate: 30 }, screenshare: { quality: 'fhd', frame_rate: 5 } } },
	permissions: { media: { video: { can_produce: 'NOT_ALLOWED' } } } });
const c = preset.data.config;
assert.deepEqual([c.view_type, c.media.video.quality, c.media.screenshare.quality], ['AUDIO_ROOM', 'uhd', 'fhd']);
step('presets.create with AUDIO_ROOM, uhd and fhd');
const replacedPreset = await kit.presets.replacePresetByID(preset.data.id, { ...ids, name: `${presetName}-2`,
	config: { view_type: 'AUDIO_ROOM' } });
const p = replacedPreset.data;
assert.deepEqual([p.name, p.config.view_type, p.config.media.video.quality, p.permissions.media.video.can_produce],
	[`${presetName}-2`, 'AUDIO_ROOM', 'hd', 'ALLOWED']);
step('presets.replacePresetByID returns what it is not given to the defaults');
await refused(kit.presets.create(APP, { account_id: ACCOUNT, name: `${presetName}-bad`,
	config: { view_type: 'CINEMA' } }), 400, 'AUDIO_ROOM', 'presets.create with an unknown view type');
await kit.presets.delete(preset.data.id, ids);
console.log('all SDK checks passed');
