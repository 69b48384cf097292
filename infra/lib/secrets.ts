import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const HUBSPOT_TOKEN_PLACEHOLDER = 'REPLACE-WITH-THE-HUBSPOT-PRIVATE-APP-TOKEN';

/**
 * The service's own secrets (the database's is RDS-managed, see Database), named
 * `mocks-booking/<env>/…`. Generated values are plain strings, a shape the service accepts for
 * REDIS_SECRET_ID and SESSION_SECRET_ID; alphanumeric because ElastiCache AUTH tokens refuse most
 * punctuation.
 */
export class ServiceSecrets extends Construct {
  readonly redisAuthToken: secretsmanager.Secret;
  readonly sessionSecret: secretsmanager.Secret;
  readonly hubspotToken: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: { environment: string; retain: boolean }) {
    super(scope, id);
    const prefix = `mocks-booking/${props.environment}`;
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.redisAuthToken = new secretsmanager.Secret(this, 'RedisAuthToken', {
      secretName: `${prefix}/redis-auth-token`,
      description: 'ElastiCache AUTH token (REDIS_SECRET_ID); also set on the replication group',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    this.sessionSecret = new secretsmanager.Secret(this, 'SessionSecret', {
      secretName: `${prefix}/session-secret`,
      description: 'HMAC key of student session tokens, the same on every instance (SESSION_SECRET_ID)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    this.hubspotToken = new secretsmanager.Secret(this, 'HubspotToken', {
      secretName: `${prefix}/hubspot-token`,
      description: 'HubSpot private app token (HUBSPOT_TOKEN_SECRET_ID): the operator puts the real value here',
      // A placeholder, not a credential: CloudFormation never rewrites it once the operator has set the value.
      secretStringValue: SecretValue.unsafePlainText(HUBSPOT_TOKEN_PLACEHOLDER),
      removalPolicy,
    });
  }

  get all(): secretsmanager.Secret[] {
    return [this.redisAuthToken, this.sessionSecret, this.hubspotToken];
  }
}
