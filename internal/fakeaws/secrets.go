package fakeaws

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// Staging labels Secrets Manager manages itself.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

const (
	maxValueSize       = 65536 // SecretString and SecretBinary, as on AWS
	maxNameLen         = 512
	maxVersions        = 100 // versions without a label beyond this are removed, oldest first
	defaultRecoveryDay = 30

	msgSecretNotFound  = "Secrets Manager can't find the specified secret."
	msgMarkedForDelete = "You can't perform this operation on the secret because it was marked for deletion."
)

type secret struct {
	name, arn, description string
	created, lastChanged   time.Time
	lastAccessed           time.Time
	deletionDate           time.Time // zero unless scheduled for deletion
	versions               map[string]*version
	order                  []string // version ids, oldest first
	decryptFails           bool
}

type version struct {
	id      string
	str     *string
	bin     []byte
	stages  []string
	created time.Time
}

func (v *version) sameValue(str *string, bin []byte) bool {
	if (v.str == nil) != (str == nil) {
		return false
	}
	if v.str != nil {
		return *v.str == *str
	}
	return bytes.Equal(v.bin, bin)
}

// holder returns the version carrying stage, or nil.
func (sec *secret) holder(stage string) *version {
	for _, id := range sec.order {
		if v := sec.versions[id]; slices.Contains(v.stages, stage) {
			return v
		}
	}
	return nil
}

// moveStage attaches stage to v, removing it from whichever version had it.
// Moving AWSCURRENT also moves AWSPREVIOUS to the version that had
// AWSCURRENT, as PutSecretValue and UpdateSecretVersionStage do.
func (sec *secret) moveStage(stage string, v *version) {
	old := sec.holder(stage)
	if old == v {
		return
	}
	if old != nil {
		old.stages = slices.DeleteFunc(old.stages, func(s string) bool { return s == stage })
	}
	v.stages = append(v.stages, stage)
	if stage == StageCurrent && old != nil {
		sec.moveStage(StagePrevious, old)
	}
}

// prune removes the oldest versions without a staging label once there are
// more than maxVersions.
func (sec *secret) prune() {
	for i := 0; len(sec.order) > maxVersions && i < len(sec.order); {
		id := sec.order[i]
		if len(sec.versions[id].stages) == 0 {
			delete(sec.versions, id)
			sec.order = slices.Delete(sec.order, i, i+1)
			continue
		}
		i++
	}
}

// lookupLocked finds a secret by name, full ARN or partial ARN (the ARN
// without the six random characters AWS appends). A secret whose recovery
// window has ended is removed first.
func (s *SecretsManager) lookupLocked(id string, now time.Time) *secret {
	var found *secret
	if sec, ok := s.secrets[id]; ok {
		found = sec
	} else if strings.HasPrefix(id, "arn:") {
		for _, sec := range s.secrets {
			if sec.arn == id || sec.arn[:len(sec.arn)-7] == id {
				found = sec
				break
			}
		}
	}
	if found != nil && !found.deletionDate.IsZero() && !now.Before(found.deletionDate) {
		delete(s.secrets, found.name)
		return nil
	}
	return found
}

// epoch is a timestamp in AWS JSON's form: seconds since 1970 as a number.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(time.Time(t).UnixMilli()) / 1000)
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type createSecretInput struct {
	Name               string
	ClientRequestToken string
	Description        string
	SecretString       *string
	SecretBinary       []byte
}

type createSecretOutput struct {
	ARN       string
	Name      string
	VersionId string `json:",omitempty"`
}

func (s *SecretsManager) createSecret(r *request) (any, *apiError) {
	var in createSecretInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := validName(in.Name); err != nil {
		return nil, err
	}
	if err := validValue(in.SecretString, in.SecretBinary, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.lookupLocked(in.Name, r.now); sec != nil {
		if !sec.deletionDate.IsZero() {
			return nil, errorf(http.StatusBadRequest, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		return nil, errorf(http.StatusBadRequest, "ResourceExistsException", "The operation failed because the secret %s already exists.", in.Name)
	}
	sec := &secret{
		name:        in.Name,
		arn:         "arn:aws:" + serviceName + ":" + s.region + ":" + s.account + ":secret:" + in.Name + "-" + randomSuffix(),
		description: in.Description,
		created:     r.now,
		lastChanged: r.now,
		versions:    map[string]*version{},
	}
	out := createSecretOutput{ARN: sec.arn, Name: sec.name}
	if in.SecretString != nil || in.SecretBinary != nil {
		id, err := versionID(in.ClientRequestToken)
		if err != nil {
			return nil, err
		}
		v := &version{id: id, str: in.SecretString, bin: in.SecretBinary, created: r.now}
		sec.versions[id] = v
		sec.order = append(sec.order, id)
		sec.moveStage(StageCurrent, v)
		out.VersionId = id
	}
	s.secrets[sec.name] = sec
	return out, nil
}

type getSecretValueInput struct {
	SecretId     string
	VersionId    string
	VersionStage string
}

type getSecretValueOutput struct {
	ARN           string
	Name          string
	VersionId     string
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"`
	VersionStages []string
	CreatedDate   *epoch `json:",omitempty"`
}

func (s *SecretsManager) getSecretValue(r *request) (any, *apiError) {
	var in getSecretValueInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, aerr := s.liveSecretLocked(in.SecretId, r.now)
	if aerr != nil {
		return nil, aerr
	}
	var v *version
	switch {
	case in.VersionId != "":
		v = sec.versions[in.VersionId]
		if v == nil {
			return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", in.VersionId)
		}
		if in.VersionStage != "" && !slices.Contains(v.stages, in.VersionStage) {
			return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", in.VersionStage)
		}
	default:
		stage := in.VersionStage
		if stage == "" {
			stage = StageCurrent
		}
		if v = sec.holder(stage); v == nil {
			return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", stage)
		}
	}
	if sec.decryptFails {
		return nil, errorf(http.StatusBadRequest, "DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key.")
	}
	// AWS records the day of the last access, not the time.
	sec.lastAccessed = r.now.UTC().Truncate(24 * time.Hour)
	return getSecretValueOutput{
		ARN:           sec.arn,
		Name:          sec.name,
		VersionId:     v.id,
		SecretString:  v.str,
		SecretBinary:  v.bin,
		VersionStages: slices.Clone(v.stages),
		CreatedDate:   epochPtr(v.created),
	}, nil
}

type describeSecretInput struct{ SecretId string }

type describeSecretOutput struct {
	ARN                string
	Name               string
	Description        string `json:",omitempty"`
	CreatedDate        *epoch `json:",omitempty"`
	LastChangedDate    *epoch `json:",omitempty"`
	LastAccessedDate   *epoch `json:",omitempty"`
	DeletedDate        *epoch `json:",omitempty"`
	VersionIdsToStages map[string][]string
}

func (s *SecretsManager) describeSecret(r *request) (any, *apiError) {
	var in describeSecretInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.lookupLocked(in.SecretId, r.now)
	if sec == nil {
		return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", msgSecretNotFound)
	}
	// Only versions with a staging label are listed; the others are
	// deprecated and on their way out.
	stages := map[string][]string{}
	for _, id := range sec.order {
		if v := sec.versions[id]; len(v.stages) > 0 {
			stages[id] = slices.Clone(v.stages)
		}
	}
	return describeSecretOutput{
		ARN:                sec.arn,
		Name:               sec.name,
		Description:        sec.description,
		CreatedDate:        epochPtr(sec.created),
		LastChangedDate:    epochPtr(sec.lastChanged),
		LastAccessedDate:   epochPtr(sec.lastAccessed),
		DeletedDate:        epochPtr(sec.deletionDate),
		VersionIdsToStages: stages,
	}, nil
}

type putSecretValueInput struct {
	SecretId           string
	ClientRequestToken string
	SecretString       *string
	SecretBinary       []byte
	VersionStages      []string
}

type putSecretValueOutput struct {
	ARN           string
	Name          string
	VersionId     string
	VersionStages []string
}

func (s *SecretsManager) putSecretValue(r *request) (any, *apiError) {
	var in putSecretValueInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := validValue(in.SecretString, in.SecretBinary, false); err != nil {
		return nil, err
	}
	id, aerr := versionID(in.ClientRequestToken)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, aerr := s.liveSecretLocked(in.SecretId, r.now)
	if aerr != nil {
		return nil, aerr
	}
	if v, ok := sec.versions[id]; ok {
		// Idempotent retry of the same request; a different value under the
		// same token is refused, because versions never change.
		if !v.sameValue(in.SecretString, in.SecretBinary) {
			return nil, errorf(http.StatusBadRequest, "ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
		}
		return putSecretValueOutput{ARN: sec.arn, Name: sec.name, VersionId: v.id, VersionStages: slices.Clone(v.stages)}, nil
	}
	stages := in.VersionStages
	if len(stages) == 0 {
		stages = []string{StageCurrent}
	}
	v := &version{id: id, str: in.SecretString, bin: in.SecretBinary, created: r.now}
	sec.versions[id] = v
	sec.order = append(sec.order, id)
	// AWSCURRENT last, so AWSPREVIOUS lands on the version it left.
	sort.SliceStable(stages, func(i, j int) bool { return stages[j] == StageCurrent && stages[i] != StageCurrent })
	for _, st := range stages {
		sec.moveStage(st, v)
	}
	sec.lastChanged = r.now
	sec.prune()
	return putSecretValueOutput{ARN: sec.arn, Name: sec.name, VersionId: v.id, VersionStages: slices.Clone(v.stages)}, nil
}

type deleteSecretInput struct {
	SecretId                   string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery *bool
}

type deleteSecretOutput struct {
	ARN          string
	Name         string
	DeletionDate *epoch
}

func (s *SecretsManager) deleteSecret(r *request) (any, *apiError) {
	var in deleteSecretInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if force && in.RecoveryWindowInDays != nil {
		return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(defaultRecoveryDay)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < 7 || days > 30 {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.lookupLocked(in.SecretId, r.now)
	if sec == nil {
		return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", msgSecretNotFound)
	}
	if force {
		delete(s.secrets, sec.name)
		return deleteSecretOutput{ARN: sec.arn, Name: sec.name, DeletionDate: epochPtr(r.now)}, nil
	}
	if !sec.deletionDate.IsZero() {
		return nil, errorf(http.StatusBadRequest, "InvalidRequestException", "You tried to perform the operation on a secret that's currently marked deleted.")
	}
	sec.deletionDate = r.now.Add(time.Duration(days) * 24 * time.Hour)
	return deleteSecretOutput{ARN: sec.arn, Name: sec.name, DeletionDate: epochPtr(sec.deletionDate)}, nil
}

// liveSecretLocked finds a secret that is not scheduled for deletion.
func (s *SecretsManager) liveSecretLocked(id string, now time.Time) (*secret, *apiError) {
	if id == "" {
		return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "You must specify a SecretId.")
	}
	sec := s.lookupLocked(id, now)
	if sec == nil {
		return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", msgSecretNotFound)
	}
	if !sec.deletionDate.IsZero() {
		return nil, errorf(http.StatusBadRequest, "InvalidRequestException", msgMarkedForDelete)
	}
	return sec, nil
}

func validName(name string) *apiError {
	ok := name != "" && len(name) <= maxNameLen
	for _, c := range name {
		if !ok {
			break
		}
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_+=.@-", c)
	}
	if !ok {
		return errorf(http.StatusBadRequest, "InvalidParameterException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	return nil
}

// validValue checks a SecretString/SecretBinary pair; on CreateSecret both
// may be absent (a secret with no version yet).
func validValue(str *string, bin []byte, optional bool) *apiError {
	switch {
	case str != nil && bin != nil:
		return errorf(http.StatusBadRequest, "InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.")
	case str == nil && bin == nil && !optional:
		return errorf(http.StatusBadRequest, "InvalidParameterException", "You must provide either SecretString or SecretBinary.")
	case str != nil && len(*str) > maxValueSize:
		// AWS documents the 65536-byte limit but not the error; this is the
		// shape of AWS's model validation errors.
		return errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to %d", maxValueSize)
	case len(bin) > maxValueSize:
		return errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to %d", maxValueSize)
	}
	return nil
}

// versionID returns the ClientRequestToken as the version id (AWS uses it
// so), or a new UUID when there is none.
func versionID(token string) (string, *apiError) {
	if token == "" {
		return newUUID(), nil
	}
	if len(token) < 32 || len(token) > 64 {
		return "", errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64")
	}
	return token, nil
}

func randomSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
