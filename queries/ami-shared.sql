-- id: ami-shared
-- title: AMI shared with another account or made public
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- description: ModifyImageAttribute added a launch permission for another account (userId) or for everyone (group all): the image, and the disks and secrets baked into it, can be copied out.
-- falsepositives: Golden images shared with the organisation's own accounts (suppress those account ids or share through organizationArn instead).
-- runbook: Remove the permission (ModifyImageAttribute launchPermission remove), check whether the other account copied the image, and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.imageId'), json_format(json_extract(requestparameters, '$.launchPermission.add'))) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname = 'ModifyImageAttribute'
  AND errorcode IS NULL
  -- Added for any account but this one, or for group "all"; a share with the own account means nothing.
  AND regexp_like(replace(coalesce(json_format(json_extract(requestparameters, '$.launchPermission.add')), ''), concat('"', account, '"'), '""'),
                  '"userId"\s*:\s*"[0-9]+"|"group"\s*:\s*"all"')
ORDER BY eventtime
