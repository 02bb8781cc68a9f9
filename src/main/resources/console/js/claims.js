// Claim names worth suggesting in the rule editor, by issuer type (what GitHub and GitLab document
// for their CI ID tokens). Suggestions only: a condition may test any claim.

export const KNOWN_CLAIMS = {
  github: ['sub', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'ref', 'ref_type',
    'ref_protected', 'environment', 'event_name', 'workflow', 'workflow_ref', 'job_workflow_ref', 'sha', 'actor',
    'actor_id', 'run_id', 'runner_environment', 'repository_visibility', 'head_ref', 'base_ref', 'enterprise',
    'enterprise_id'],
  gitlab: ['sub', 'namespace_id', 'namespace_path', 'project_id', 'project_path', 'user_id', 'user_login', 'user_email',
    'pipeline_id', 'pipeline_source', 'job_id', 'ref', 'ref_type', 'ref_path', 'ref_protected', 'environment',
    'environment_protected', 'deployment_tier', 'runner_id', 'runner_environment', 'sha', 'ci_config_ref_uri',
    'ci_config_sha', 'project_visibility'],
  oidc: ['sub', 'email', 'email_verified', 'groups', 'preferred_username', 'azp'],
};

export const OPERATORS = [
  ['equals', 'equals'],
  ['notEquals', 'does not equal'],
  ['in', 'is one of'],
  ['notIn', 'is none of'],
  ['glob', 'matches glob'],
  ['regex', 'matches regex (RE2)'],
  ['exists', 'exists'],
  ['notExists', 'does not exist'],
];

export const arity = (operator) => {
  if (operator === 'in' || operator === 'notIn') return 'many';
  if (operator === 'exists' || operator === 'notExists') return 'none';
  return 'one';
};
