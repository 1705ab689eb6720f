/**
 * SQL fragments shared by the report upsert and the reviewer decision, so the
 * two write paths agree on what a delivery holds.
 */

/** A report row (alias `r`) as contract JSON, frozen into deliveries.report. */
export const REPORT_JSON = `jsonb_build_object(
  'id', r.id, 'kind', r.kind, 'subjectType', r.subject_type, 'subjectId', r.subject_id,
  'roomId', r.room_id, 'streamId', r.stream_id, 'score', r.score, 'severity', r.severity,
  'status', r.status, 'summary', r.summary, 'accounts', to_jsonb(r.accounts), 'evidence', r.evidence,
  'detectedAt', r.detected_at, 'version', r.version,
  'updatedAt', to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;

/**
 * True when report `r` names an allow-listed room or account (its subject or
 * any implicated account). A room report implicating a room's own staff is
 * held back whole: acting on it would act on them.
 */
export const ALLOW_LISTED = `EXISTS (
  SELECT 1 FROM enforcement_allow_list a
  WHERE (a.expires_at IS NULL OR a.expires_at > now())
    AND ((a.subject_type = 'room' AND a.subject_id = r.room_id)
      OR (a.subject_type = 'account' AND (a.subject_id = ANY (r.accounts)
        OR (r.subject_type = 'account' AND a.subject_id = r.subject_id)))))`;

/** The live policy row of report `r`'s kind, as alias `p` (LEFT JOIN target). */
export const LIVE_POLICY = `enforcement_policies p ON p.kind = r.kind AND (p.expires_at IS NULL OR p.expires_at > now())`;
