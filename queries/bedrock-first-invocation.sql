-- id: bedrock-first-invocation
-- title: Expensive Bedrock model invoked by a principal new to Bedrock
-- severity: high
-- kind: correlation
-- tactics: TA0040
-- techniques: T1496.004
-- description: A principal that made no Bedrock model invocation during the window's first 24 hours (its baseline) invokes a costly model (Claude Opus or Sonnet, Llama 405B, Mistral Large, Nova Premier or Pro, image models) later in the window: the LLMjacking pattern, stolen keys resold for model access.
-- falsepositives: A team starting to use Bedrock; a window shorter than two days gives a short baseline, so read it with the principal's history.
-- runbook: Ask the principal's owner; if unknown, revoke its keys or sessions, check Bedrock model-invocation logging and the bill, and look for PutUseCaseForModelAccess or model access requests.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH invocations AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           coalesce(useridentity.arn, useridentity.principalid) AS who,
           coalesce(json_extract_scalar(requestparameters, '$.modelId'), '') AS model
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'bedrock.amazonaws.com'
      AND eventname IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
      AND errorcode IS NULL
), baseline AS (
    SELECT DISTINCT account, who
    FROM invocations
    WHERE from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('${since}') + INTERVAL '1' DAY
)
SELECT i.eventtime, i.account, i.region, i.eventsource, i.eventname, i.principal, i.sourceipaddress, i.useragent, i.eventid,
       concat('first Bedrock use in the window: ', i.model) AS detail
FROM invocations i
LEFT JOIN baseline b ON b.account = i.account AND b.who = i.who
WHERE b.who IS NULL
  AND from_iso8601_timestamp(i.eventtime) >= from_iso8601_timestamp('${since}') + INTERVAL '1' DAY
  AND regexp_like(lower(i.model), 'claude-3-opus|claude-opus|claude-3-5-sonnet|claude-3-7-sonnet|claude-sonnet-4|llama3-1-405b|mistral-large|nova-premier|nova-pro|titan-image|stable-diffusion|sd3|stability\.')
ORDER BY i.eventtime
