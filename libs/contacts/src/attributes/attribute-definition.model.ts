import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsOptional,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

export enum AttributeType {
  TEXT = 'TEXT',
  NUMBER = 'NUMBER',
  DATE = 'DATE',
  BOOLEAN = 'BOOLEAN',
  CHOICE = 'CHOICE',
}
registerEnumType(AttributeType, {
  name: 'AttributeType',
  description: "The type of a custom attribute's values.",
  valuesMap: {
    TEXT: { description: 'Any text.' },
    NUMBER: { description: 'A number (a comma is read as the decimal point).' },
    DATE: { description: 'A calendar date as YYYY-MM-DD, without time zone.' },
    BOOLEAN: { description: 'True or false (also read from yes/no, oui/non, 1/0).' },
    CHOICE: { description: "One of the definition's choices." },
  },
});

@ObjectType('AttributeDefinition', { description: 'A custom contact attribute of this organization.' })
export class AttributeDefinitionModel {
  @Field({ description: 'Key in Contact.attributes: lowercase letters, digits and _.' }) key!: string;
  @Field({ description: 'The name shown to people.' }) label!: string;
  @Field(() => AttributeType, { description: 'The type of its values.' }) type!: AttributeType;
  @Field(() => [String], { nullable: true, description: 'Allowed values of a CHOICE attribute.' }) choices!:
    string[] | null;
  @Field({ description: 'When it was defined (UTC).' }) createdAt!: Date;
}

@InputType({ description: 'A new custom contact attribute.' })
export class DefineAttributeInput {
  @Field({
    description:
      'Key in Contact.attributes: a lowercase letter, then up to 62 lowercase letters, digits and _; unique.',
  })
  @Matches(/^[a-z][a-z0-9_]{0,62}$/, {
    message: 'key must be lowercase letters, digits and _ (starting with a letter)',
  })
  key!: string;
  @Field({ description: 'The name shown to people (1 to 200 characters).' })
  @MinLength(1)
  @MaxLength(200)
  label!: string;
  @Field(() => AttributeType, { description: 'The type of its values.' }) @IsEnum(AttributeType) type!: AttributeType;
  @Field(() => [String], {
    nullable: true,
    description: 'The allowed values: required for CHOICE (1 to 500), refused otherwise.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @MaxLength(200, { each: true })
  choices?: string[] | null;
}
