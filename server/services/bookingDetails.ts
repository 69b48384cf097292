import { DISCUSSION_FORMATS, DOMINANT_HANDS } from '../contracts/bookings';
import { errors } from '../errors';

/** What a student may send with a booking, whatever the session's type (the contract's optional fields). */
export interface DetailsInput {
  dominantHand?: string | undefined;
  attendingLocation?: string | undefined;
  discussionFormat?: string | undefined;
}

/** The columns the details land in on hubspot_bookings. */
export interface BookingDetails {
  dominantHand: string | null;
  attendingLocation: string | null;
}

type DetailField = keyof DetailsInput;

/** One field a session type asks for: what the frontend shows, and what the server accepts. */
export interface DetailRequirement {
  field: DetailField;
  required: boolean;
  values: string[];
  /** Taken when an optional field is not sent. */
  default?: string;
}

/**
 * docs/DOMAIN.md "Booking details": Clinical Skills needs the dominant hand, Situational Judgment and
 * Mini-mock the location the student sits at (one of ATTENDING_LOCATIONS), Mock Discussion an optional
 * format (Virtual by default). An unknown type asks for nothing (it is refused as not bookable anyway).
 */
export function requirementsFor(mockType: string, attendingLocations: readonly string[]): DetailRequirement[] {
  switch (mockType) {
    case 'Clinical Skills':
      return [{ field: 'dominantHand', required: true, values: [...DOMINANT_HANDS] }];
    case 'Situational Judgment':
    case 'Mini-mock':
      return [{ field: 'attendingLocation', required: true, values: [...attendingLocations] }];
    case 'Mock Discussion':
      return [{ field: 'discussionFormat', required: false, values: [...DISCUSSION_FORMATS], default: 'Virtual' }];
    default:
      return [];
  }
}

const FIELDS: DetailField[] = ['dominantHand', 'attendingLocation', 'discussionFormat'];

/** A field error of detailsFor, as its field and the message the student reads. */
export interface DetailsProblem {
  field: DetailField;
  message: string;
}

/**
 * The details a booking of this type stores, or a field error: a missing or unknown value, or a field
 * the type does not use, never becomes a booking with a hole in it. Values are stored as the
 * configured list spells them (the old system saved every left-handed student as right-handed).
 */
export function detailsFor(mockType: string, input: DetailsInput, attendingLocations: readonly string[]) {
  const checked = checkDetails(mockType, input, attendingLocations);
  if ('problem' in checked) throw errors.invalidField(checked.problem.field, checked.problem.message);
  return checked.details;
}

/**
 * detailsFor's rule without the throw, for a caller that tries every type (bookInOneStatement): three
 * of four types refuse any input, and an error per refusal (a stack trace each) was a measurable share
 * of a booking's CPU.
 */
export function checkDetails(
  mockType: string,
  input: DetailsInput,
  attendingLocations: readonly string[],
): { details: BookingDetails } | { problem: DetailsProblem } {
  const wanted = requirementsFor(mockType, attendingLocations);
  const chosen: Partial<Record<DetailField, string>> = {};
  for (const field of FIELDS) {
    const requirement = wanted.find((r) => r.field === field);
    const sent = input[field];
    if (!requirement) {
      if (sent !== undefined) return { problem: { field, message: `${mockType} sessions do not take ${field}.` } };
      continue;
    }
    if (sent === undefined) {
      if (requirement.required) return { problem: { field, message: `${mockType} sessions need ${field}.` } };
      if (requirement.default !== undefined) chosen[field] = requirement.default;
      continue;
    }
    const value = requirement.values.find((v) => v.toLowerCase() === sent.trim().toLowerCase());
    if (!value) return { problem: { field, message: `${field} must be one of: ${requirement.values.join(', ')}.` } };
    chosen[field] = value;
  }
  // A discussion's format goes where the old system kept it: attending_location.
  return {
    details: {
      dominantHand: chosen.dominantHand ?? null,
      attendingLocation: chosen.attendingLocation ?? chosen.discussionFormat ?? null,
    },
  };
}
