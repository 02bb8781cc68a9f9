{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "ferry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, with the chart name unless the release already holds it. */}}
{{- define "ferry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ferry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ferry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ferry.labels" -}}
helm.sh/chart: {{ include "ferry.chart" . }}
{{ include "ferry.selectorLabels" . }}
app.kubernetes.io/version: {{ (include "ferry.imageTag" .) | trunc 63 | quote }}
app.kubernetes.io/component: token-exchange
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ferry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ferry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ferry.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | toString }}
{{- end }}

{{- define "ferry.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "ferry.imageTag" .) }}
{{- end }}

{{/* ferry.issuer, checked: required, and an absolute http(s) URL as Ferry itself demands. */}}
{{- define "ferry.issuer" -}}
{{- $issuer := required "ferry.issuer is required: Ferry's external base URL, the iss of the tokens it issues, e.g. --set ferry.issuer=https://ferry.example.com" .Values.ferry.issuer -}}
{{- if not (regexMatch "^https?://[^/?#]+" $issuer) }}
{{- fail (printf "ferry.issuer must be an absolute http(s) URL such as https://ferry.example.com, not '%s'" $issuer) }}
{{- end }}
{{- $issuer }}
{{- end }}

{{/* The JDBC URL of the external PostgreSQL database. */}}
{{- define "ferry.databaseUrl" -}}
{{- if .Values.database.url }}
{{- if not (hasPrefix "jdbc:postgresql:" .Values.database.url) }}
{{- fail (printf "database.url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/ferry), not '%s'" .Values.database.url) }}
{{- end }}
{{- .Values.database.url }}
{{- else }}
{{- $host := required "database.host is required (or database.url): the PostgreSQL server that holds Ferry's state, e.g. --set database.host=postgres.example.svc" .Values.database.host }}
{{- printf "jdbc:postgresql://%s:%s/%s" $host (toString .Values.database.port) .Values.database.name }}
{{- with .Values.database.parameters }}{{ printf "?%s" (trimPrefix "?" .) }}{{ end }}
{{- end }}
{{- end }}

{{/* The Secret holding Ferry's encryption key and bootstrap token. */}}
{{- define "ferry.secretName" -}}
{{- .Values.secret.existingSecret | default (include "ferry.fullname" .) }}
{{- end }}

{{/* The Secret holding the database password. */}}
{{- define "ferry.databaseSecretName" -}}
{{- .Values.database.existingSecret | default (include "ferry.fullname" .) }}
{{- end }}

{{/* The database password's key in that Secret. */}}
{{- define "ferry.databasePasswordKey" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecretPasswordKey }}
{{- else -}}
database-password
{{- end }}
{{- end }}

{{/* "true" when the chart must create its Secret: for Ferry's secrets, the database password, or both. */}}
{{- define "ferry.createSecret" -}}
{{- if or (not .Values.secret.existingSecret) (not .Values.database.existingSecret) }}true{{ end }}
{{- end }}

{{/* secret.encryptionKey, checked: required without an existing Secret, base64 of 32 bytes. */}}
{{- define "ferry.encryptionKey" -}}
{{- $key := required "secret.encryptionKey is required unless secret.existingSecret names an existing Secret: base64 of 32 random bytes (openssl rand -base64 32), the same for every replica" .Values.secret.encryptionKey -}}
{{- if or (not (regexMatch "^[A-Za-z0-9+/]+={0,2}$" $key)) (ne (len (b64dec $key)) 32) }}
{{- fail "secret.encryptionKey must be base64 of exactly 32 bytes, e.g. the output of openssl rand -base64 32" }}
{{- end }}
{{- $key }}
{{- end }}

{{/* The ConfigMap holding the bootstrap file, or "" when there is none. */}}
{{- define "ferry.bootstrapConfigMap" -}}
{{- if .Values.ferry.bootstrapFile.existingConfigMap }}
{{- .Values.ferry.bootstrapFile.existingConfigMap }}
{{- else if .Values.ferry.bootstrapFile.content }}
{{- printf "%s-bootstrap" (include "ferry.fullname" .) }}
{{- end }}
{{- end }}

{{/* The bootstrap file's content as text (it may be given as text or as a map). */}}
{{- define "ferry.bootstrapContent" -}}
{{- $content := .Values.ferry.bootstrapFile.content }}
{{- if kindIs "string" $content }}
{{- $content }}
{{- else }}
{{- toYaml $content }}
{{- end }}
{{- end }}

{{/* The least number of replicas that run: the PodDisruptionBudget makes sense only above one. */}}
{{- define "ferry.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}
{{- int .Values.autoscaling.minReplicas }}
{{- else }}
{{- int .Values.replicaCount }}
{{- end }}
{{- end }}

{{/* The container port /actuator is served on: its own with managementPort, else the API's. */}}
{{- define "ferry.managementPortName" -}}
{{- if .Values.managementPort }}management{{ else }}http{{ end }}
{{- end }}
