import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const API_KEY_ROLES = ['ingest', 'reviewer', 'merchant'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  role!: ApiKeyRole;

  @Column({ name: 'merchant_id', type: 'text', nullable: true })
  merchantId!: string | null;

  /** Who holds the key ("Lin, T&S night shift"), shown on claims and decisions; optional. */
  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  /** The first characters of the secret, so an operator can tell keys apart. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
