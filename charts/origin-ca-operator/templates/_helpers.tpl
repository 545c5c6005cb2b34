{{/* The chart's name. */}}
{{- define "origin-ca-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, used for every object: the release name alone when it
already contains the chart's name.
*/}}
{{- define "origin-ca-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "origin-ca-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "origin-ca-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "origin-ca-operator.labels" -}}
{{ include "origin-ca-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "origin-ca-operator.serviceAccountName" -}}
{{- default (include "origin-ca-operator.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "origin-ca-operator.clusterResourceNamespace" -}}
{{- default .Release.Namespace .Values.clusterResourceNamespace }}
{{- end }}

{{/* The namespaces whose Secrets the operator reads when watchNamespaces is set. */}}
{{- define "origin-ca-operator.secretNamespaces" -}}
{{- $all := append .Values.watchNamespaces (include "origin-ca-operator.clusterResourceNamespace" .) }}
{{- join "," (uniq $all) }}
{{- end }}

{{/* The approver role's name, per release so that two releases do not share it. */}}
{{- define "origin-ca-operator.approverRoleName" -}}
{{- printf "%s-cert-manager-approve" (include "origin-ca-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
