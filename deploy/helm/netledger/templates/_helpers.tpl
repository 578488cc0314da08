{{/* Names and labels. */}}
{{- define "netledger.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "netledger.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of one component: include "netledger.labels" (dict "root" $ "component" "gateway"). */}}
{{- define "netledger.selectorLabels" -}}
app.kubernetes.io/name: {{ include "netledger.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "netledger.labels" -}}
{{ include "netledger.selectorLabels" . }}
app.kubernetes.io/part-of: netledger
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "netledger.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "netledger.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image of a service: include "netledger.image" (dict "root" $ "image" .Values.gateway.image). */}}
{{- define "netledger.image" -}}
{{- $repo := default .root.Values.image.repository .image.repository -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) .image.tag -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{- define "netledger.pullPolicy" -}}
{{- default .root.Values.image.pullPolicy .image.pullPolicy -}}
{{- end -}}

{{/* An env var from a referenced Secret key. */}}
{{- define "netledger.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ default .root.Values.secrets.existingSecret .ref.name }}
      key: {{ .ref.key }}
{{- end -}}

{{/* An env var from the chart's ConfigMap. */}}
{{- define "netledger.configEnv" -}}
- name: {{ .env }}
  valueFrom:
    configMapKeyRef:
      name: {{ include "netledger.fullname" .root }}
      key: {{ .env }}
{{- end -}}

{{/* NATS_URL / REDIS_URL / REDIS_LOCK_URLS: from the Secret when a key is given, else the ConfigMap. */}}
{{- define "netledger.urlEnv" -}}
{{- if .ref.key -}}
{{ include "netledger.secretEnv" . }}
{{- else -}}
{{ include "netledger.configEnv" . }}
{{- end -}}
{{- end -}}

{{/* The environment each service's config.ts reads (deploy/test checks every name against it). */}}
{{- define "netledger.env" -}}
{{- $root := .root -}}
{{- $s := $root.Values.secrets -}}
{{- $c := $root.Values.config -}}
{{ include "netledger.urlEnv" (dict "root" $root "env" "NATS_URL" "ref" $s.natsUrl) }}
{{ include "netledger.configEnv" (dict "root" $root "env" "NETLEDGER_NAMESPACE") }}
{{ include "netledger.configEnv" (dict "root" $root "env" "LOG_LEVEL") }}
- name: OPS_PORT
  value: {{ .values.opsPort | quote }}
{{- if or (eq .component "gateway") (eq .component "ingestor") }}
{{ include "netledger.secretEnv" (dict "root" $root "env" "DATABASE_URL" "ref" $s.databaseUrl) }}
{{- end }}
{{- if eq .component "gateway" }}
{{ include "netledger.urlEnv" (dict "root" $root "env" "REDIS_URL" "ref" $s.redisUrl) }}
- name: GATEWAY_PORT
  value: {{ .values.httpPort | quote }}
{{- if $s.bootstrapToken.key }}
{{ include "netledger.secretEnv" (dict "root" $root "env" "NETLEDGER_BOOTSTRAP_TOKEN" "ref" $s.bootstrapToken) }}
{{- end }}
{{- end }}
{{- /* Every service seals or opens with the key ring and shares the wire sizes. */}}
{{ include "netledger.secretEnv" (dict "root" $root "env" "NETLEDGER_SEAL_KEYS" "ref" $s.sealKeys) }}
{{- if $c.snapshotsMaxBytes }}
{{ include "netledger.configEnv" (dict "root" $root "env" "NETLEDGER_SNAPSHOTS_MAX_BYTES") }}
{{- end }}
{{- if $c.eventsMaxBytes }}
{{ include "netledger.configEnv" (dict "root" $root "env" "NETLEDGER_EVENTS_MAX_BYTES") }}
{{- end }}
{{- if eq .component "collector" }}
{{- if $s.redisLockUrls.key }}
{{ include "netledger.secretEnv" (dict "root" $root "env" "REDIS_LOCK_URLS" "ref" $s.redisLockUrls) }}
{{- else if and (not $c.redisLockUrls) $s.redisUrl.key }}
{{ include "netledger.secretEnv" (dict "root" $root "env" "REDIS_LOCK_URLS" "ref" $s.redisUrl) }}
{{- else }}
{{ include "netledger.configEnv" (dict "root" $root "env" "REDIS_LOCK_URLS") }}
{{- end }}
- name: COLLECTOR_SHUTDOWN_GRACE_MS
  value: {{ mul .values.shutdownGraceSeconds 1000 | quote }}
{{- end }}
{{- with .values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Whether a component can run more than one replica (PDB). */}}
{{- define "netledger.multiReplica" -}}
{{- $v := .values -}}
{{- $auto := false -}}
{{- if eq .component "gateway" }}{{ $auto = $v.autoscaling.enabled }}{{ end -}}
{{- if eq .component "collector" }}{{ $auto = ne $v.autoscaling.mode "none" }}{{ end -}}
{{- if $auto -}}
{{- if gt (int $v.autoscaling.maxReplicas) 1 }}true{{ end -}}
{{- else if gt (int $v.replicas) 1 -}}
true
{{- end -}}
{{- end -}}

{{/* Whether an HPA or a ScaledObject drives the component's replica count. */}}
{{- define "netledger.autoscaled" -}}
{{- if and (eq .component "gateway") .values.autoscaling.enabled }}true{{ end -}}
{{- if and (eq .component "collector") (ne .values.autoscaling.mode "none") }}true{{ end -}}
{{- end -}}

{{/* Jobs stream and shared consumer names, from files/wire.json (generated from contracts). */}}
{{- define "netledger.jobsStream" -}}
{{- $wire := .Files.Get "files/wire.json" | fromJson -}}
{{- printf "%s%s" (.Values.config.namespace | upper | replace "-" "_") $wire.jobsStreamSuffix -}}
{{- end -}}

{{- define "netledger.collectorsConsumer" -}}
{{- $wire := .Files.Get "files/wire.json" | fromJson -}}
{{- $wire.collectorsConsumer -}}
{{- end -}}
