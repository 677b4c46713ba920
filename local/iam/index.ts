// Local IAM enforcement: the local stack holds each handler's AWS calls to the role the CDK template gives it.
// Uses @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency): import this from local/ and test/ only.
export { type ActionScope, IamMappingError, type IamRequest, iamRequests, type SdkCall } from './actions';
export {
  currentFunction,
  type IamDecision,
  type IamEnforcement,
  IamEnforcementError,
  type IamEnforcementOptions,
  type IamEnforcementStats,
  installIamEnforcement,
  runAsFunction,
} from './enforce';
export {
  FUNCTION_TAG,
  type FunctionPolicies,
  functionPolicies,
  functionRoles,
  LOCAL_ACCOUNT_ID,
  type LocalResourceNames,
  localResources,
  type PolicyDocument,
  type PolicyStatement,
  type ResolveScope,
  type ResourceBinding,
  type ResourceMap,
  resolveIntrinsics,
  TemplateResolutionError,
  withoutGrant,
} from './policies';
export { type CfnResource, type CfnTemplate, type LocalTemplateOptions, localTemplate } from './template';
